using AclOperator.Operator.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AclOperator.Operator.Hosting;

/// <summary>
/// Builds the operator's host: configuration from <c>ACLOP_</c> environment variables and the command line (short
/// switches below, or any <c>--Section:Key value</c>), Kestrel for /healthz /readyz /metrics, and the controller runtime.
/// </summary>
public static class OperatorHost
{
    /// <summary>Command-line switches and the configuration keys they set.</summary>
    public static readonly IReadOnlyDictionary<string, string> Switches = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--namespaces"] = "Watch:Namespaces",
        ["--label-selector"] = "Watch:LabelSelector",
        ["--leader-elect"] = "LeaderElection:Enabled",
        ["--lease-name"] = "LeaderElection:LeaseName",
        ["--lease-namespace"] = "LeaderElection:LeaseNamespace",
        ["--identity"] = "LeaderElection:Identity",
        ["--lease-duration"] = "LeaderElection:LeaseDuration",
        ["--renew-deadline"] = "LeaderElection:RenewDeadline",
        ["--retry-period"] = "LeaderElection:RetryPeriod",
        ["--http-address"] = "Operator:HttpAddress",
        ["--resync-period"] = "Operator:ResyncPeriod",
        ["--owned-label-selector"] = "Operator:OwnedLabelSelector",
    };

    public const string Usage = """
        Usage: aclop-operator [options]

        Runs the Redis ACL operator's controllers against the Kubernetes API (in-cluster, or the kubeconfig in
        KUBECONFIG / ~/.kube/config). Every option is also an environment variable: ACLOP_<Section>__<Key>
        (for example ACLOP_Watch__Namespaces=team-a,team-b).

          --namespaces <a,b,...>          Watch only these namespaces (default: all)           Watch:Namespaces
          --label-selector <selector>     Only RedisAclServer/RedisAcl/RedisAclUser objects     Watch:LabelSelector
                                          matching this label selector
          --leader-elect <true|false>     Leader election on a Lease (default: true)            LeaderElection:Enabled
          --lease-name <name>             Lease name (default: aclop-operator)                  LeaderElection:LeaseName
          --lease-namespace <ns>          Lease namespace (default: default)                    LeaderElection:LeaseNamespace
          --identity <id>                 Identity in the Lease (default: host name + suffix)   LeaderElection:Identity
          --lease-duration <hh:mm:ss>     Lease duration (default: 00:00:15)                    LeaderElection:LeaseDuration
          --renew-deadline <hh:mm:ss>     Renew deadline (default: 00:00:10)                    LeaderElection:RenewDeadline
          --retry-period <hh:mm:ss>       Retry period (default: 00:00:02)                      LeaderElection:RetryPeriod
          --http-address <url>            /healthz /readyz /metrics (default: http://0.0.0.0:8081) Operator:HttpAddress
          --resync-period <hh:mm:ss>      Reconcile everything again this often (default: 10:00:00) Operator:ResyncPeriod
          --owned-label-selector <sel>    Label of objects the operator creates                 Operator:OwnedLabelSelector
          -h, --help                      Show this help

        Product settings (--Section:Key value): Servers:DefaultImage, Servers:OperatorNamespace (the NetworkPolicy
        admits the admin port from it), Servers:PublishWindow (00:00:00.250), Servers:MaxDropFraction (0.1),
        Servers:StalePodGrace (00:01:00, 00:00:00 = never take stale pods out of the Service), Denials:Interval
        (00:01:00), Denials:MaxEventsPerInterval (100).

        Exit codes: 0 after a graceful stop, 1 when the leader lost its lease (the pod restarts as a follower), 2 on bad usage.
        """;

    /// <summary>True when the arguments ask for help.</summary>
    public static bool WantsHelp(IReadOnlyList<string> args) => args is not null && args.Any(a => a is "-h" or "--help" or "-?" or "help");

    /// <summary>A host builder with configuration, Kestrel and the runtime; add controllers on the returned <see cref="OperatorBuilder"/>.</summary>
    public static (WebApplicationBuilder Builder, OperatorBuilder Operator) CreateBuilder(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = "aclop-operator" });
        builder.Configuration.AddEnvironmentVariables("ACLOP_");
        builder.Configuration.AddCommandLine(args, Switches.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal));
        var address = builder.Configuration[$"{OperatorOptions.Section}:{nameof(OperatorOptions.HttpAddress)}"] ?? new OperatorOptions().HttpAddress;
        builder.WebHost.UseUrls(address);
        var op = builder.Services.AddOperatorRuntime(builder.Configuration);
        return (builder, op);
    }
}
