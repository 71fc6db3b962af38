namespace AclOperator.Testing.FakeKube.Patching;

/// <summary>A patch that cannot be applied to the object (answered 422) or cannot be decoded (400).</summary>
internal sealed class PatchException : Exception
{
    public PatchException(string message, bool malformed = false)
        : base(message) => Malformed = malformed;

    public PatchException()
    {
    }

    public PatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public PatchException(string message)
        : base(message)
    {
    }

    /// <summary>The patch document itself is invalid (400 BadRequest) rather than inapplicable (422).</summary>
    public bool Malformed { get; }
}
