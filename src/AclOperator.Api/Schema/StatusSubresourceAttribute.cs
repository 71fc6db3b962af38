namespace AclOperator.Api.Schema;

/// <summary>
/// The kind has a <c>status</c> subresource (kubebuilder's <c>+kubebuilder:subresource:status</c>): writes to the main
/// resource ignore <c>status</c>, status is written through <c>/status</c>, and <c>metadata.generation</c> changes only
/// with the spec.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class StatusSubresourceAttribute : Attribute;
