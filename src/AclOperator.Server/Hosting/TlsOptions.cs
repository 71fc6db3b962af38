using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using AclOperator.Server.Configuration;

namespace AclOperator.Server.Hosting;

/// <summary>
/// E19: TLS on the client port (<c>tls-port</c>, <c>tls-cert-file</c>, <c>tls-key-file</c>, <c>tls-ca-cert-file</c>,
/// <c>tls-auth-clients</c>), so AUTH never crosses a pod network in cleartext.
/// </summary>
internal sealed class TlsOptions : IDisposable
{
    private readonly X509Certificate2 _certificate;
    private readonly X509Certificate2Collection? _trusted;
    private readonly TlsAuthClients _authClients;

    private TlsOptions(X509Certificate2 certificate, X509Certificate2Collection? trusted, TlsAuthClients authClients)
    {
        _certificate = certificate;
        _trusted = trusted;
        _authClients = authClients;
    }

    /// <summary>Loads the PEM certificate and key (and CA bundle); throws <see cref="StartupException"/> on bad files.</summary>
    public static TlsOptions Load(ServerConfig config)
    {
        try
        {
            var cert = X509Certificate2.CreateFromPemFile(config.ResolvePath(config.TlsCertFile!), config.ResolvePath(config.TlsKeyFile!));

            // Re-import so the private key is usable by SslStream on every platform.
            cert = X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
            X509Certificate2Collection? trusted = null;
            if (config.TlsCaCertFile is { } ca)
            {
                trusted = [];
                trusted.ImportFromPemFile(config.ResolvePath(ca));
            }

            return new TlsOptions(cert, trusted, config.TlsAuthClients);
        }
        catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException)
        {
            throw new StartupException("Failed to configure TLS. Check logs for more info. (" + e.Message + ")", e);
        }
    }

    /// <summary>Performs the server handshake on an accepted connection.</summary>
    public async Task<SslStream> AuthenticateAsync(Stream inner, CancellationToken ct)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false, ValidateClient);
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificate = _certificate,
            ClientCertificateRequired = _authClients != TlsAuthClients.No,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        try
        {
            await ssl.AuthenticateAsServerAsync(options, ct).ConfigureAwait(false);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private bool ValidateClient(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            // `tls-auth-clients optional` accepts clients without a certificate; `yes` requires one.
            return _authClients != TlsAuthClients.Yes;
        }

        if (_authClients == TlsAuthClients.No)
        {
            return true;
        }

        if (_trusted is null)
        {
            return errors == SslPolicyErrors.None;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_trusted);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var cert = new X509Certificate2(certificate);
        return custom.Build(cert);
    }

    public void Dispose() => _certificate.Dispose();
}
