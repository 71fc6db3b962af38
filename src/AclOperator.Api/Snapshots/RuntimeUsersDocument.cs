namespace AclOperator.Api.Snapshots;

/// <summary>The <c>users</c> key of the runtime users Secret (O9): users created with ACL SETUSER at runtime.</summary>
public sealed class RuntimeUsersDocument
{
    public List<RuntimeUser> Users { get; set; } = [];
}

/// <summary>A runtime user: rules as ACL LIST describes them without hashes, and its SHA-256 hashes.</summary>
public sealed class RuntimeUser
{
    public string Name { get; set; } = "";

    public string Rules { get; set; } = "";

    public List<string> Hashes { get; set; } = [];
}
