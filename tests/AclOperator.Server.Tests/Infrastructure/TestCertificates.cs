using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AclOperator.Server.Tests.Infrastructure;

/// <summary>A throw-away CA with a server certificate (CN/SAN localhost and 127.0.0.1) and a client certificate, as PEM files.</summary>
internal sealed record TestCertificates(string Directory, X509Certificate2 Ca, X509Certificate2 Client)
{
    /// <summary>Writes ca.crt, server.crt/.key and client.crt/.key into a new temp directory.</summary>
    public static TestCertificates Write()
    {
        var dir = Path.Combine(Path.GetTempPath(), "aclop-tls-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(dir);
        using var caKey = RSA.Create(2048);
        var caReq = new CertificateRequest("CN=aclop-test-ca", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caReq.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        var ca = caReq.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));

        X509Certificate2 Issue(string cn, string file)
        {
            using var key = RSA.Create(2048);
            var req = new CertificateRequest($"CN={cn}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("localhost");
            san.AddIpAddress(System.Net.IPAddress.Loopback);
            req.CertificateExtensions.Add(san.Build());
            var cert = req.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(8));
            File.WriteAllText(Path.Combine(dir, file + ".crt"), cert.ExportCertificatePem());
            File.WriteAllText(Path.Combine(dir, file + ".key"), key.ExportPkcs8PrivateKeyPem());
            return cert.CopyWithPrivateKey(key);
        }

        Issue("localhost", "server");
        var client = Issue("client", "client");
        File.WriteAllText(Path.Combine(dir, "ca.crt"), ca.ExportCertificatePem());
        return new TestCertificates(dir, ca, client);
    }
}
