namespace AclOperator.Server.Configuration;

/// <summary><c>tls-auth-clients</c>: whether TLS clients must present a certificate.</summary>
public enum TlsAuthClients
{
    No,
    Yes,
    Optional,
}
