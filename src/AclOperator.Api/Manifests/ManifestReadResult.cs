namespace AclOperator.Api.Manifests;

/// <summary>The objects of one file and every problem found in it.</summary>
public sealed class ManifestReadResult
{
    internal ManifestReadResult(IReadOnlyList<ManifestDocument> documents, IReadOnlyList<ManifestError> errors, IReadOnlyList<string> ignored)
    {
        Documents = documents;
        Errors = errors;
        Ignored = ignored;
    }

    /// <summary>Valid documents of the kinds read here (also when other documents of the file have errors).</summary>
    public IReadOnlyList<ManifestDocument> Documents { get; }

    public IReadOnlyList<ManifestError> Errors { get; }

    /// <summary>Documents of other kinds (<c>apiVersion/kind name</c>), skipped.</summary>
    public IReadOnlyList<string> Ignored { get; }
}
