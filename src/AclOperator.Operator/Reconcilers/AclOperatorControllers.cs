using AclOperator.Api.Snapshots;
using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Runtime;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AclOperator.Operator.Reconcilers;

/// <summary>Registers the three reconcilers of the product, what they watch, the ACL denial events and the stale-pod check.</summary>
public static class AclOperatorControllers
{
    /// <summary>Adds the RedisAclServer, RedisAcl and RedisAclUser controllers (configuration section <c>Servers</c>).</summary>
    public static OperatorBuilder AddAclOperatorControllers(this OperatorBuilder op, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(op);
        ArgumentNullException.ThrowIfNull(configuration);
        op.Services.AddOptions<ServerReconcilerOptions>().Bind(configuration.GetSection(ServerReconcilerOptions.Section));
        op.Services.TryAddSingleton<SecretHashCache>();
        op.Services.TryAddSingleton<ServerReconciler>();
        op.Services.TryAddSingleton<Servers.ServerWorkloadApplier>();
        op.Services.TryAddSingleton<IServerWorkload, ServerWorkload>();
        op.Services.TryAddSingleton(TimeProvider.System);
        op.Services.AddOptions<DenialEventOptions>().Bind(configuration.GetSection(DenialEventOptions.Section));
        op.Services.TryAddSingleton<DenialEvents>();
        op.Services.AddSingleton<IController>(sp => sp.GetRequiredService<DenialEvents>());
        op.Services.TryAddSingleton<StalePods>();
        op.Services.AddSingleton<IController>(sp => sp.GetRequiredService<StalePods>());

        op.AddController<RedisAclServer, ServerReconciler>(c => c
            .Owns<V1StatefulSet>()
            .Configure((sp, controller) =>
            {
                var informers = sp.GetRequiredService<SharedInformerFactory>();
                var users = informers.For<RedisAclUser>();
                Indexes.AddUserIndexes(users);
                controller.Informer.Cache.AddIndex(Indexes.ServerSecret, Indexes.ServerSecretIndex);

                // Spec, labels and deletions of users matter; the status this controller writes does not.
                controller.Watches(users, enqueue => new MappedEventHandler<RedisAclUser>(
                    u => [Indexes.ServerOf(u)],
                    (o, n) => o.Metadata.Generation != n.Metadata.Generation || o.Metadata.DeletionTimestamp != n.Metadata.DeletionTimestamp,
                    enqueue));
                controller.Watches(informers.For<RedisAcl>(), enqueue => new MappedEventHandler<RedisAcl>(
                    a => ServersNaming(users, controller.Informer, a),
                    (o, n) => o.Metadata.Generation != n.Metadata.Generation,
                    enqueue));
                controller.Watches(informers.SecretMetadata(), s =>
                {
                    var key = (s.Metadata.NamespaceProperty ?? "") + "/" + s.Metadata.Name;
                    return users.Cache.ByIndex(Indexes.UserSecret, key).Select(Indexes.ServerOf)
                        .Concat(controller.Informer.Cache.ByIndex(Indexes.ServerSecret, key).Select(ObjectKey.Of))
                        .Distinct();
                });
                controller.Watches(informers.ForOwned<V1Pod>(ServerReconciler.Pods), enqueue => new MappedEventHandler<V1Pod>(
                    p => InstanceOf(p.Metadata),
                    (o, n) => o.Status?.Phase != n.Status?.Phase || o.Metadata.DeletionTimestamp != n.Metadata.DeletionTimestamp,
                    enqueue));

                // A pod renews its Lease every few seconds; only a new enforced revision matters (O12).
                controller.Watches(informers.ForOwned<V1Lease>(ApiResource.Leases), enqueue => new MappedEventHandler<V1Lease>(
                    l => InstanceOf(l.Metadata),
                    (o, n) => ServerPods.EnforcedRevision(o) != ServerPods.EnforcedRevision(n),
                    enqueue));
            }));

        op.AddController<RedisAcl, AclReconciler>(c => c
            .WithFinalizer<AclInUseFinalizer>()
            .Configure((sp, controller) =>
            {
                var users = sp.GetRequiredService<SharedInformerFactory>().For<RedisAclUser>();
                Indexes.AddUserIndexes(users);
                controller.Watches(users, u => Indexes.UserAclIndex(u).Select(Indexes.ParseKey));
            }));

        op.AddController<RedisAclUser, UserReconciler>(c => c
            .Configure((sp, controller) =>
            {
                var servers = sp.GetRequiredService<SharedInformerFactory>().For<RedisAclServer>();
                Indexes.AddUserIndexes(controller.Informer);
                controller.Watches(servers, enqueue => new MappedEventHandler<RedisAclServer>(
                    s => controller.Informer.Cache.KeysByIndex(Indexes.UserServer, ObjectKey.Of(s).ToString()),
                    (o, n) => false,
                    enqueue));
            }));
        return op;
    }

    private static IEnumerable<ObjectKey> ServersNaming(SharedInformer<RedisAclUser> users, SharedInformer<RedisAclServer> servers, RedisAcl acl)
    {
        var ns = acl.Metadata.NamespaceProperty ?? "";
        var fromUsers = users.Cache.ByIndex(Indexes.UserAcl, ns + "/" + acl.Metadata.Name).Select(Indexes.ServerOf);
        var fromDefaultUsers = servers.Cache.List(ns).Where(s => s.Spec?.DefaultUser?.Acls?.Contains(acl.Metadata.Name) == true).Select(ObjectKey.Of);
        return fromUsers.Concat(fromDefaultUsers).Distinct();
    }

    private static IEnumerable<ObjectKey> InstanceOf(V1ObjectMeta meta) =>
        meta.Labels is { } labels && labels.TryGetValue(SnapshotNames.InstanceLabel, out var server) &&
        labels.TryGetValue(SnapshotNames.NameLabel, out var app) && app == SnapshotNames.AppName
            ? [new ObjectKey(meta.NamespaceProperty ?? "", server)]
            : [];
}
