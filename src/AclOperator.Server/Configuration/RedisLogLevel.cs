namespace AclOperator.Server.Configuration;

/// <summary><c>loglevel</c>, in Redis's order (most verbose first).</summary>
public enum RedisLogLevel
{
    Debug,
    Verbose,
    Notice,
    Warning,
    Nothing,
}
