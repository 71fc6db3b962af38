namespace AclOperator.Api.Manifests;

/// <summary>A problem in a manifest file, shown as <c>file:line: message</c>.</summary>
/// <param name="File">The file as the user named it (e.g. <c>config/samples/alice.yaml</c>).</param>
/// <param name="Line">1-based line; 0 when unknown.</param>
/// <param name="Message">What is wrong; never a Secret value.</param>
public sealed record ManifestError(string File, int Line, string Message)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Message}" : $"{File}: {Message}";
}
