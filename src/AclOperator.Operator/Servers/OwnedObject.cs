namespace AclOperator.Operator.Servers;

/// <summary>One object a server owns, by kind and name (its namespace is the server's).</summary>
public readonly record struct OwnedObject(string Kind, string Name)
{
    /// <summary><c>Kind/name</c>, as kubectl names objects.</summary>
    public override string ToString() => Kind + "/" + Name;
}
