using System.ComponentModel;
using System.Text.Json.Serialization;
using AclOperator.Api.Schema;
using k8s.Models;

namespace AclOperator.Api.V1Alpha1;

/// <summary>Embedded Garnet: the store lives in the enforcement process.</summary>
public sealed class EmbeddedBackendSpec
{
    [JsonPropertyName("storageSize")]
    [Description("Size of the PersistentVolumeClaim; omitted: an emptyDir (data is lost with the pod).")]
    public ResourceQuantity? StorageSize { get; set; }

    [JsonPropertyName("storageClassName")]
    [Description("StorageClass of the PersistentVolumeClaim; omitted: the cluster's default.")]
    [Length(MaxLength = 253)]
    public string? StorageClassName { get; set; }
}
