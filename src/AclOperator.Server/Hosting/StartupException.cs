namespace AclOperator.Server.Hosting;

/// <summary>A fatal start-up error; the message is what Redis logs before exiting.</summary>
public sealed class StartupException : Exception
{
    public StartupException()
    {
    }

    public StartupException(string message)
        : base(message)
    {
    }

    public StartupException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
