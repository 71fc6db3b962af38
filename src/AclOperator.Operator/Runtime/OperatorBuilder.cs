using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AclOperator.Operator.Runtime;

/// <summary>Registers controllers with the runtime (the reconciler set registration API).</summary>
public sealed class OperatorBuilder
{
    internal OperatorBuilder(IServiceCollection services)
    {
        Services = services;
    }

    public IServiceCollection Services { get; }

    /// <summary>
    /// Adds a controller for <typeparamref name="TEntity"/> reconciled by <typeparamref name="TReconciler"/> (a singleton
    /// from the container, created if not registered). The controller runs only on the leader.
    /// </summary>
    public OperatorBuilder AddController<TEntity, TReconciler>(Action<ControllerRegistration<TEntity>>? configure = null)
        where TEntity : class, IKubernetesObject<V1ObjectMeta>
        where TReconciler : class, IReconciler<TEntity>
    {
        var registration = new ControllerRegistration<TEntity>(ApiResource.For<TEntity>().Kind.ToLowerInvariant());
        configure?.Invoke(registration);
        Services.AddSingleton<IController>(sp =>
        {
            var reconciler = ActivatorUtilities.GetServiceOrCreateInstance<TReconciler>(sp);
            var controller = new Controller<TEntity>(registration.Name, sp.GetRequiredService<SharedInformerFactory>().For<TEntity>(), reconciler,
                registration.Options, sp.GetRequiredService<OperatorMetrics>(), sp.GetRequiredService<ILogger<Controller<TEntity>>>(),
                sp.GetRequiredService<FinalizerClient>());
            registration.Apply(sp, controller);
            return controller;
        });
        return this;
    }
}
