namespace AclOperator.Server.AclRuntime.Kubernetes;

/// <summary>A runtime users change refused for a reason the client is told (the text after <c>ERR </c>); nothing is written.</summary>
public sealed class RuntimeUsersChangeException : Exception
{
    public RuntimeUsersChangeException()
    {
    }

    public RuntimeUsersChangeException(string message)
        : base(message)
    {
    }

    public RuntimeUsersChangeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
