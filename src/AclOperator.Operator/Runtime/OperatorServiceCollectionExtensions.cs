using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AclOperator.Operator.Runtime;

/// <summary>Microsoft.Extensions.Hosting integration: the runtime's services, options and hosted services.</summary>
public static class OperatorServiceCollectionExtensions
{
    /// <summary>
    /// Adds the controller runtime: options bound from <paramref name="configuration"/> (sections Operator, Watch,
    /// LeaderElection, Events), a KubernetesClient (in-cluster or kubeconfig, unless an <see cref="IKubernetes"/> is
    /// registered already), informers, metrics, event recorder, status writer, finalizer client, leader election and the
    /// controller manager, plus the readiness check. Controllers are added on the returned builder.
    /// </summary>
    public static OperatorBuilder AddOperatorRuntime(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<OperatorOptions>().Bind(configuration.GetSection(OperatorOptions.Section));
        services.AddOptions<WatchScopeOptions>().Bind(configuration.GetSection(WatchScopeOptions.Section));
        services.AddOptions<LeaderElectionOptions>().Bind(configuration.GetSection(LeaderElectionOptions.Section))
            .Validate(o => o.LeaseDuration > o.RenewDeadline && o.RenewDeadline > o.RetryPeriod && o.LeaseDuration >= TimeSpan.FromSeconds(1),
                "LeaderElection needs LeaseDuration > RenewDeadline > RetryPeriod and LeaseDuration of at least 1s")
            .ValidateOnStart();
        services.AddOptions<EventRecorderOptions>().Bind(configuration.GetSection("Events"));
        services.TryAddSingleton<IKubernetes>(_ => new Kubernetes(KubernetesClientConfiguration.BuildDefaultConfig()));
        services.TryAddSingleton(sp => new KubernetesResourceClient(sp.GetRequiredService<IKubernetes>()));
        services.TryAddSingleton<OperatorMetrics>();
        services.TryAddSingleton<SharedInformerFactory>();
        services.TryAddSingleton<StatusWriter>();
        services.TryAddSingleton<FinalizerClient>();
        services.TryAddSingleton<EventRecorder>();
        services.TryAddSingleton<IEventRecorder>(sp => sp.GetRequiredService<EventRecorder>());
        services.TryAddSingleton<LeaderElectionService>();
        services.TryAddSingleton<ILeadership>(sp => sp.GetRequiredService<LeaderElectionService>());
        services.TryAddSingleton<ControllerManager>();
        // Order matters: the host stops hosted services in reverse, so controllers drain before the lease is released.
        services.AddHostedService(sp => sp.GetRequiredService<LeaderElectionService>());
        services.AddHostedService(sp => sp.GetRequiredService<ControllerManager>());
        services.AddHealthChecks().AddCheck<InformersSyncedHealthCheck>("informers", tags: ["ready"]);
        return new OperatorBuilder(services);
    }

    /// <summary>The options as bound (for code outside the container).</summary>
    internal static T Value<T>(this IServiceProvider services)
        where T : class => services.GetRequiredService<IOptions<T>>().Value;
}
