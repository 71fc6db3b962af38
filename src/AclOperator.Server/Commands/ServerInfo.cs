namespace AclOperator.Server.Commands;

/// <summary>What the server says it is: Redis 7.4.1 in standalone mode (HELLO, INFO server, --version).</summary>
internal static class ServerInfo
{
    public const string RedisVersion = "7.4.1";

    public static string ProductVersion { get; } =
        typeof(ServerInfo).Assembly.GetName().Version?.ToString(3) ?? "0.1.0";
}
