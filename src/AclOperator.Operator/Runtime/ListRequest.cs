namespace AclOperator.Operator.Runtime;

/// <summary>Query parameters of one list or watch request.</summary>
public sealed record ListRequest
{
    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    /// <summary>
    /// "" (the default) is a consistent read from storage; "0" may be served from the API server's watch cache; a
    /// number is the point a watch starts after. A relist after 410 Expired uses "" (O16).
    /// </summary>
    public string ResourceVersion { get; init; } = "";

    public int? Limit { get; init; }

    public string? Continue { get; init; }

    /// <summary>Watch only: ask for BOOKMARK events carrying the current resourceVersion.</summary>
    public bool AllowWatchBookmarks { get; init; }

    /// <summary>Watch only: the server ends the watch after this long (client-go: 5 to 10 minutes).</summary>
    public TimeSpan? WatchTimeout { get; init; }

    /// <summary>Ask for metadata only (meta.k8s.io/v1 PartialObjectMetadata), as client-go's metadata client does.</summary>
    public bool MetadataOnly { get; init; }
}
