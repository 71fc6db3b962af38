namespace AclOperator.Testing.FakeKube.Resources;

/// <summary>When metadata.generation is set and incremented.</summary>
internal enum GenerationPolicy
{
    /// <summary>No generation (ConfigMap, Secret, Namespace, ...).</summary>
    None,

    /// <summary>Built-ins with a spec: bumped when .spec changes (StatefulSet, PDB, NetworkPolicy, CRD).</summary>
    Spec,

    /// <summary>Custom resources with a status subresource: bumped on changes outside .metadata and .status.</summary>
    AllButMetadataAndStatus,

    /// <summary>Custom resources without a status subresource: bumped on changes outside .metadata.</summary>
    AllButMetadata,
}
