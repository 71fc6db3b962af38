namespace AclOperator.Testing.FakeKube.Resources;

/// <summary>What the server serves: built-in resources plus the versions of established CRDs; thread-safe.</summary>
internal sealed class ResourceCatalog
{
    private readonly object _gate = new();
    private readonly List<ResourceType> _builtIns;
    private readonly Dictionary<string, List<ResourceType>> _custom = new(StringComparer.Ordinal);
    private long _generation;

    public ResourceCatalog()
    {
        _builtIns = BuiltInResources.All().ToList();
    }

    /// <summary>Changes whenever the set of served resources changes (discovery and OpenAPI caches key on it).</summary>
    public long Generation
    {
        get
        {
            lock (_gate)
            {
                return _generation;
            }
        }
    }

    public IReadOnlyList<ResourceType> All()
    {
        lock (_gate)
        {
            return _builtIns.Concat(_custom.Values.SelectMany(v => v)).ToList();
        }
    }

    public ResourceType? Find(string group, string version, string plural)
    {
        foreach (var t in All())
        {
            if (t.Group == group && t.Version == version && t.Plural == plural)
            {
                return t;
            }
        }
        return null;
    }

    public ResourceType? FindKind(string apiVersion, string kind)
    {
        var (group, version) = SplitApiVersion(apiVersion);
        foreach (var t in All())
        {
            if (t.Group == group && t.Version == version && t.Kind == kind)
            {
                return t;
            }
        }
        return null;
    }

    /// <summary>Any served version of a group/kind (owner references name a version that may not be the stored one).</summary>
    public ResourceType? FindGroupKind(string group, string kind) =>
        All().FirstOrDefault(t => t.Group == group && t.Kind == kind);

    public ResourceType? FindStorage(string storageKey) => All().FirstOrDefault(t => t.StorageKey == storageKey);

    public bool GroupVersionExists(string group, string version) => All().Any(t => t.Group == group && t.Version == version);

    public void SetCustom(string crdName, IReadOnlyList<ResourceType> versions)
    {
        lock (_gate)
        {
            _custom[crdName] = versions.ToList();
            _generation++;
        }
    }

    public void RemoveCustom(string crdName)
    {
        lock (_gate)
        {
            if (_custom.Remove(crdName))
            {
                _generation++;
            }
        }
    }

    public static (string Group, string Version) SplitApiVersion(string apiVersion)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
    }
}
