using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;

namespace AclOperator.Operator.Runtime;

/// <summary>How one controller is put together: what it owns, what else it watches, its finalizers and options (builder.Owns / Watches of controller-runtime).</summary>
public sealed class ControllerRegistration<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly List<Action<IServiceProvider, Controller<T>>> _steps = [];

    internal ControllerRegistration(string name)
    {
        Name = name;
    }

    /// <summary>The controller's name: its metrics label and work queue name.</summary>
    public string Name { get; set; }

    public ControllerOptions Options { get; } = new();

    /// <summary>Reconciles the owner when an owned object of this kind changes (label-selected informer).</summary>
    public ControllerRegistration<T> Owns<TOwned>(ApiResource? resource = null)
        where TOwned : class, IKubernetesObject<V1ObjectMeta>
    {
        _steps.Add((sp, c) => c.Owns(sp.GetRequiredService<SharedInformerFactory>().ForOwned<TOwned>(resource)));
        return this;
    }

    /// <summary>Reconciles the keys a map function returns for events of a primary-scoped informer of another kind.</summary>
    public ControllerRegistration<T> Watches<TOther>(Func<IServiceProvider, Func<TOther, IEnumerable<ObjectKey>>> map)
        where TOther : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(map);
        _steps.Add((sp, c) => c.Watches(sp.GetRequiredService<SharedInformerFactory>().For<TOther>(), map(sp)));
        return this;
    }

    /// <summary>Reconciles the keys a map function returns for Secret metadata events (metadata-only informer, O3).</summary>
    public ControllerRegistration<T> WatchesSecretMetadata(Func<IServiceProvider, Func<PartialObjectMetadata, IEnumerable<ObjectKey>>> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        _steps.Add((sp, c) => c.Watches(sp.GetRequiredService<SharedInformerFactory>().SecretMetadata(), map(sp)));
        return this;
    }

    /// <summary>Adds a finalizer class (resolved from the container).</summary>
    public ControllerRegistration<T> WithFinalizer<TFinalizer>()
        where TFinalizer : class, IFinalizer<T>
    {
        _steps.Add((sp, c) => c.WithFinalizer(ActivatorUtilities.GetServiceOrCreateInstance<TFinalizer>(sp)));
        return this;
    }

    /// <summary>Any further step on the built controller (e.g. an index on its informer's cache).</summary>
    public ControllerRegistration<T> Configure(Action<IServiceProvider, Controller<T>> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        _steps.Add(step);
        return this;
    }

    internal void Apply(IServiceProvider services, Controller<T> controller)
    {
        foreach (var step in _steps)
        {
            step(services, controller);
        }
    }
}
