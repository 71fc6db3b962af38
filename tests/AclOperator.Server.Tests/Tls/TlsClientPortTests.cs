using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using AclOperator.Server.Configuration;
using AclOperator.Server.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

using AclOperator.Server.Tests.Infrastructure;

namespace AclOperator.Server.Tests.Tls;

/// <summary>E19: TLS on the client port, with and without client certificates.</summary>
public sealed class TlsClientPortTests
{
    private static (string Dir, X509Certificate2 Ca, X509Certificate2 Client) WriteCertificates()
    {
        var certs = TestCertificates.Write();
        return (certs.Directory, certs.Ca, certs.Client);
    }

    /// <summary>Accepts exactly the server certificates issued by the test CA.</summary>
    private static RemoteCertificateValidationCallback TrustOnly(X509Certificate2 ca) => (_, cert, _, _) =>
    {
        if (cert is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(cert);
        return chain.Build(leaf);
    };

    private static async Task<AclopServer> StartAsync(string dir, string authClients)
    {
        var parsed = AclOperator.Server.Configuration.CommandLine.Parse(
            ["--port", "0", "--bind", "127.0.0.1", "--dir", dir, "--tls-port", "0", "--tls-cert-file", "server.crt",
             "--tls-key-file", "server.key", "--tls-ca-cert-file", "ca.crt", "--tls-auth-clients", authClients, "--requirepass", "s3cret"],
            workingDirectory: dir);
        Assert.NotNull(parsed.Load?.Config);
        return await AclopServer.StartAsync(parsed.Load!.Config!, NullLoggerFactory.Instance, allowEphemeralPort: true);
    }

    private static async Task<string> CallAsync(SslStream ssl, string command)
    {
        var ct = TestContext.Current.CancellationToken;
        await ssl.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), ct);
        var buf = new byte[256];
        int n = await ssl.ReadAsync(buf, ct);
        return Encoding.ASCII.GetString(buf, 0, n);
    }

    [Fact]
    public async Task Auth_travels_over_tls_and_the_server_certificate_chains_to_the_ca()
    {
        var (dir, ca, _) = WriteCertificates();
        await using var server = await StartAsync(dir, "no");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.TlsEndPoint!, TestContext.Current.CancellationToken);
        await using var ssl = new SslStream(tcp.GetStream(), false, TrustOnly(ca));
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, TestContext.Current.CancellationToken);
        Assert.Equal("-NOAUTH Authentication required.\r\n", await CallAsync(ssl, "GET k"));
        Assert.Equal("+OK\r\n", await CallAsync(ssl, "AUTH s3cret"));
        Assert.Equal("+PONG\r\n", await CallAsync(ssl, "PING"));
    }

    [Fact]
    public async Task Client_certificates_are_required_when_tls_auth_clients_is_yes()
    {
        var (dir, ca, client) = WriteCertificates();
        await using var server = await StartAsync(dir, "yes");

        // Without a client certificate the handshake fails.
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(server.TlsEndPoint!, TestContext.Current.CancellationToken);
            await using var ssl = new SslStream(tcp.GetStream(), false, TrustOnly(ca));
            string? reply = null;
            try
            {
                // TLS 1.3 reports the server's refusal on the first read (an error or end of stream), 1.2 in the handshake.
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, TestContext.Current.CancellationToken);
                reply = await CallAsync(ssl, "PING");
            }
            catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
            {
            }

            Assert.True(string.IsNullOrEmpty(reply), $"the server answered a client without a certificate: {reply}");
        }

        // With a certificate issued by the CA it works.
        using var tcp2 = new TcpClient();
        await tcp2.ConnectAsync(server.TlsEndPoint!, TestContext.Current.CancellationToken);
        await using var ssl2 = new SslStream(tcp2.GetStream(), false, TrustOnly(ca));
        await ssl2.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions { TargetHost = "localhost", ClientCertificates = [client] }, TestContext.Current.CancellationToken);
        Assert.Equal("+OK\r\n", await CallAsync(ssl2, "AUTH s3cret"));
    }
}
