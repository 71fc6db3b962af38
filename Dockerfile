# Images of the enforcement server and the operator, from one multi-stage build (no Docker engine is needed for the
# tests; tests/AclOperator.Cli.Tests/Config/DockerfileTests.cs checks every path and project named here):
#
#   docker build --target server   -t ghcr.io/aclop/aclop-server:0.1.0 .
#   docker build --target operator -t ghcr.io/aclop/aclop-operator:0.1.0 .
#
# Both run framework-dependent on the ASP.NET Core runtime image (each serves HTTP: the server's admin port, the
# operator's /healthz /readyz /metrics) as the non-root user 1654 (the `app` user of the .NET images; the operator renders
# the enforcement pods with the same runAsUser, ServerPodLayout.ServerUser).

# --- restore: only the project and props files, so this layer is reused until a dependency changes ---------------
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS restore
WORKDIR /src
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/AclOperator.Acl/AclOperator.Acl.csproj src/AclOperator.Acl/
COPY src/AclOperator.Api/AclOperator.Api.csproj src/AclOperator.Api/
COPY src/AclOperator.Server/AclOperator.Server.csproj src/AclOperator.Server/
COPY src/AclOperator.Operator/AclOperator.Operator.csproj src/AclOperator.Operator/
RUN dotnet restore src/AclOperator.Server/AclOperator.Server.csproj \
 && dotnet restore src/AclOperator.Operator/AclOperator.Operator.csproj

# --- the sources (tests, benchmarks and build output stay out: .dockerignore) -----------------------------------
FROM restore AS source
COPY src/ src/

FROM source AS publish-server
RUN dotnet publish src/AclOperator.Server/AclOperator.Server.csproj -c Release --no-restore -o /out

FROM source AS publish-operator
RUN dotnet publish src/AclOperator.Operator/AclOperator.Operator.csproj -c Release --no-restore -o /out

# --- aclop-operator ----------------------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS operator
LABEL org.opencontainers.image.title="aclop-operator" \
      org.opencontainers.image.description="Kubernetes operator for Redis ACL users (RedisAclServer, RedisAcl, RedisAclUser)" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /app
# The image's default ASPNETCORE_HTTP_PORTS=8080 would compete with --http-address (default http://0.0.0.0:8081).
ENV ASPNETCORE_HTTP_PORTS= DOTNET_CLI_TELEMETRY_OPTOUT=1
COPY --from=publish-operator /out/ /app/
USER 1654:1654
EXPOSE 8081
ENTRYPOINT ["/app/aclop-operator"]

# --- aclop-server (the default target) ---------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS server
LABEL org.opencontainers.image.title="aclop-server" \
      org.opencontainers.image.description="RESP server enforcing Redis ACLs in front of embedded Garnet, a sidecar or an upstream Redis/Valkey" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /app
# The admin port is opened by the server itself (admin-port, admin-bind), not by the image's ASPNETCORE_HTTP_PORTS.
ENV ASPNETCORE_HTTP_PORTS= DOTNET_CLI_TELEMETRY_OPTOUT=1
COPY --from=publish-server /out/ /app/
USER 1654:1654
# RESP, RESP over TLS (tls-port), admin HTTP (/healthz /readyz /status /metrics).
EXPOSE 6379 6380 8080
ENTRYPOINT ["/app/aclop-server"]
