namespace AclOperator.Testing.FakeKube;

/// <summary>One request the fake server answered, for assertions on what a client did.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Request path.</param>
/// <param name="Query">Query string including the leading '?', or empty.</param>
/// <param name="Verb">Kubernetes verb (get, list, watch, create, update, patch, delete, deletecollection), or empty for non-resource paths.</param>
/// <param name="Resource">Resource (plural, with "/status" for the subresource), or empty.</param>
/// <param name="Namespace">Namespace of the request, or empty.</param>
/// <param name="Name">Object name, or empty.</param>
/// <param name="StatusCode">HTTP status code answered.</param>
/// <param name="UserAgent">The client's User-Agent.</param>
public sealed record RecordedRequest(string Method, string Path, string Query, string Verb, string Resource,
    string Namespace, string Name, int StatusCode, string UserAgent);
