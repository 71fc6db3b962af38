namespace AclOperator.Server.Configuration;

/// <summary>
/// A <c>user</c> directive from redis.conf, collected in order (§9.5). <see cref="Rules"/> are after selector merging;
/// unknown commands are not checked here (the ACL runtime reports them at load).
/// </summary>
public sealed record ConfiguredUser(string Name, IReadOnlyList<string> Rules);
