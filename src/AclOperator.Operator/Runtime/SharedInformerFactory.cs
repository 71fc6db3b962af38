using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AclOperator.Operator.Runtime;

/// <summary>
/// Creates informers once per kind and role and shares them between controllers (client-go's SharedInformerFactory):
/// primary kinds in the watch scope, owned kinds label-selected by <see cref="OperatorOptions.OwnedLabelSelector"/>, and
/// Secrets metadata-only (O3). Every informer strips managedFields before caching. Informers created after
/// <see cref="Start"/> start at once.
/// </summary>
public sealed class SharedInformerFactory
{
    private readonly KubernetesResourceClient _client;
    private readonly WatchScopeOptions _scope;
    private readonly OperatorOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ISharedInformer> _informers = new(StringComparer.Ordinal);
    private readonly List<Task> _running = [];
    private CancellationToken? _started;

    public SharedInformerFactory(KubernetesResourceClient client, IOptions<WatchScopeOptions> scope, IOptions<OperatorOptions> options, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        _client = client;
        _scope = scope.Value;
        _options = options.Value;
        _loggers = loggers;
    }

    public IReadOnlyList<ISharedInformer> Informers
    {
        get
        {
            lock (_gate)
            {
                return [.. _informers.Values];
            }
        }
    }

    /// <summary>The informer of a kind the operator reconciles: watch-scope namespaces and label selector.</summary>
    public SharedInformer<T> For<T>()
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        GetOrAdd("primary:" + typeof(T).FullName, () => Options<T>(ApiResource.For<T>(), _scope.LabelSelector));

    /// <summary>The informer of a kind the operator creates (ConfigMap, Secret, StatefulSet, Service): label-selected.</summary>
    public SharedInformer<T> ForOwned<T>(ApiResource? resource = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var r = resource ?? ApiResource.For<T>();
        return GetOrAdd("owned:" + r, () => Options<T>(r, _options.OwnedLabelSelector));
    }

    /// <summary>Secrets as metadata only (PartialObjectMetadata): a changed resourceVersion tells a referenced Secret changed (O3).</summary>
    public SharedInformer<PartialObjectMetadata> SecretMetadata() =>
        GetOrAdd("metadata:secrets", () => new InformerOptions<PartialObjectMetadata>
        {
            Resource = ApiResource.Secrets,
            Namespaces = _scope.NamespaceList,
            MetadataOnly = true,
            Transform = CacheTransforms.StripSecretMetadata,
            ResyncPeriod = _options.ResyncPeriod,
            WatchTimeout = _options.WatchTimeout,
            MinRetryDelay = _options.MinRetryDelay,
            MaxRetryDelay = _options.MaxRetryDelay,
            PageSize = _options.PageSize,
        });

    /// <summary>An informer with explicit options, shared under <paramref name="key"/>.</summary>
    public SharedInformer<T> GetOrAdd<T>(string key, Func<InformerOptions<T>> options)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (_gate)
        {
            if (_informers.TryGetValue(key, out var existing))
            {
                return (SharedInformer<T>)existing;
            }
            var informer = new SharedInformer<T>(_client, options(), _loggers.CreateLogger<SharedInformer<T>>());
            _informers[key] = informer;
            if (_started is { } token)
            {
                _running.Add(informer.RunAsync(token));
            }
            return informer;
        }
    }

    /// <summary>Starts every informer (and later ones as they are created) until <paramref name="cancellationToken"/> is cancelled.</summary>
    public Task Start(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _started = cancellationToken;
            foreach (var informer in _informers.Values)
            {
                _running.Add(informer.RunAsync(cancellationToken));
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>Waits for every started informer to end (after cancellation).</summary>
    public Task WhenStoppedAsync()
    {
        lock (_gate)
        {
            return Task.WhenAll(_running);
        }
    }

    public bool AllSynced => Informers.All(i => i.HasSynced);

    private InformerOptions<T> Options<T>(ApiResource resource, string? labelSelector)
        where T : class, IKubernetesObject<V1ObjectMeta> => new()
        {
            Resource = resource,
            Namespaces = _scope.NamespaceList,
            LabelSelector = string.IsNullOrEmpty(labelSelector) ? null : labelSelector,
            ResyncPeriod = _options.ResyncPeriod,
            WatchTimeout = _options.WatchTimeout,
            MinRetryDelay = _options.MinRetryDelay,
            MaxRetryDelay = _options.MaxRetryDelay,
            PageSize = _options.PageSize,
        };
}
