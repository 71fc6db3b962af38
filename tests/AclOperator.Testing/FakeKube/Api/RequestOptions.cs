namespace AclOperator.Testing.FakeKube.Api;

/// <summary>Query options of a write (create, update, patch, delete).</summary>
internal sealed class WriteOptions
{
    public string FieldManager { get; init; } = "";

    /// <summary>fieldManager was given in the query (server-side apply requires it).</summary>
    public bool ExplicitFieldManager { get; init; }

    public bool DryRun { get; init; }

    /// <summary>Strict, Warn (the server default) or Ignore.</summary>
    public string FieldValidation { get; init; } = "Warn";

    public bool Force { get; init; }

    /// <summary>Warning headers to send with the response.</summary>
    public List<string> Warnings { get; } = [];
}

/// <summary>DeleteOptions from the body or query.</summary>
internal sealed class DeleteRequest
{
    public string? PropagationPolicy { get; init; }

    public bool? OrphanDependents { get; init; }

    public string? PreconditionUid { get; init; }

    public string? PreconditionResourceVersion { get; init; }
}

/// <summary>ListOptions of a list or watch.</summary>
internal sealed class ListRequest
{
    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    public string? ResourceVersion { get; init; }

    public string? ResourceVersionMatch { get; init; }

    public long Limit { get; init; }

    public string? Continue { get; init; }

    public bool AllowWatchBookmarks { get; init; }

    public bool? SendInitialEvents { get; init; }

    public int? TimeoutSeconds { get; init; }
}
