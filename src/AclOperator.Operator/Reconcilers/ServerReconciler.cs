using System.Collections.Concurrent;
using System.Globalization;
using AclOperator.Acl;
using AclOperator.Acl.Passwords;
using AclOperator.Api.Compilation;
using AclOperator.Api.Snapshots;
using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Runtime;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AclOperator.Operator.Reconcilers;

/// <summary>
/// Reconciles one RedisAclServer end to end, level-based: compiles the users bound to it (any admitted namespace) with
/// the RedisAcls they name and the Secret hashes, publishes the snapshot (O6) — keeping the last published entry of an
/// object whose failure is transient or an invalid edit, dropping it only on authoritative revocation (O8) — applies the
/// workload, and writes the status of the server and of every bound user whose status changed (O12). The only status
/// writer of RedisAclUser objects; one reconcile per server at a time.
/// </summary>
public sealed partial class ServerReconciler : IReconciler<RedisAclServer>
{
    /// <summary>Pods as a label-selected (owned) resource.</summary>
    public static readonly ApiResource Pods = new("", "v1", "pods", "Pod");

    private readonly IKubernetes _client;
    private readonly SharedInformer<RedisAclUser> _users;
    private readonly SharedInformer<RedisAcl> _acls;
    private readonly SharedInformer<V1Pod> _pods;
    private readonly SharedInformer<V1Lease> _leases;
    private readonly SecretHashCache _secrets;
    private readonly StatusWriter _status;
    private readonly IEventRecorder _events;
    private readonly IServerWorkload _workload;
    private readonly ILogger<ServerReconciler> _logger;
    private readonly TimeProvider _time;
    private readonly ServerReconcilerOptions _options;
    private readonly ConcurrentDictionary<ObjectKey, ServerState> _state = new();

    // The watch scope (--namespaces): empty = the whole cluster. Fresh lists stay inside it (O3: RBAC per namespace).
    private readonly IReadOnlyList<string> _watchedNamespaces;

    public ServerReconciler(IKubernetes client, SharedInformerFactory informers, SecretHashCache secrets, StatusWriter status,
        IEventRecorder events, IServerWorkload workload, ILogger<ServerReconciler> logger, IOptions<ServerReconcilerOptions> options,
        IOptions<WatchScopeOptions> scope, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(scope);
        _watchedNamespaces = scope.Value.NamespaceList;
        ArgumentNullException.ThrowIfNull(informers);
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _users = informers.For<RedisAclUser>();
        _acls = informers.For<RedisAcl>();
        _pods = informers.ForOwned<V1Pod>(Pods);
        _leases = informers.ForOwned<V1Lease>(ApiResource.Leases);
        _secrets = secrets;
        _status = status;
        _events = events;
        _workload = workload;
        _logger = logger;
        _options = options.Value;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Status writes of RedisAclUser objects so far (benchmarks: an edit should write only its user's, O12).</summary>
    public long UserStatusWrites => Interlocked.Read(ref _userStatusWrites);

    private long _userStatusWrites;

    private sealed class ServerState(SnapshotPublisher publisher)
    {
        public SnapshotPublisher Publisher { get; } = publisher;

        /// <summary>Guards <see cref="PendingStatus"/> and <see cref="StatusRunning"/>.</summary>
        public Lock StatusGate { get; } = new();

        /// <summary>The newest status pass not yet started; older ones are folded into it.</summary>
        public StatusPass? PendingStatus { get; set; }

        /// <summary>A status writer is running for this server (at most one: passes are written in order).</summary>
        public bool StatusRunning { get; set; }

        public DateTimeOffset LastPublish { get; set; } = DateTimeOffset.MinValue;

        public int? ConfirmedDropTo { get; set; }
    }

    /// <summary>What one reconcile asks the status writer to write: the users it compiled, what it published, and the users whose entries changed (with those of passes folded into it).</summary>
    private sealed record StatusPass(RedisAclServer Server, IReadOnlyList<RedisAclUser> Users, AclCompileResult Result, PublishOutcome Outcome,
        int Replicas, string Image, IReadOnlySet<string> Changed);

    /// <summary>Reasons that revoke a user (fail closed, O8); every other failure keeps its last published entry.</summary>
    private static bool Authoritative(string reason) => reason is DiagnosticReasons.SecretNotFound or DiagnosticReasons.NamespaceNotAdmitted
        or DiagnosticReasons.UsernameConflict or DiagnosticReasons.SecretConflict or DiagnosticReasons.ServerRefMismatch
        or DiagnosticReasons.DuplicateObject or DiagnosticReasons.ReservedName;

    private static bool Transient(string reason) => reason is DiagnosticReasons.SecretUnavailable;

    public async Task<ReconcileResult> ReconcileAsync(RedisAclServer entity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entity);
        if (entity.Metadata.DeletionTimestamp is not null)
        {
            return ReconcileResult.Done;
        }

        var key = ObjectKey.Of(entity);
        var ns = key.Namespace;
        var state = _state.GetOrAdd(key, k => new ServerState(new SnapshotPublisher(_client, k.Namespace, k.Name)));
        var now = _time.GetUtcNow();
        var wait = state.LastPublish + _options.PublishWindow - now;
        if (wait > TimeSpan.Zero)
        {
            // O14: coalesce — edits arriving in the window are deduplicated by the queue and published together.
            return ReconcileResult.After(wait);
        }

        var owner = KubernetesObjects.ControllerReference(entity);
        state.Publisher.Owner = owner;
        var users = _users.Cache.ByIndex(Indexes.UserServer, key.ToString());
        var aclNamespaces = users.Select(u => u.Metadata.NamespaceProperty ?? "").Append(ns).Distinct(StringComparer.Ordinal);
        var acls = aclNamespaces.SelectMany(n => _acls.Cache.List(n)).ToList();

        var overrides = await EnsureGeneratedSecretsAsync(entity, users, cancellationToken).ConfigureAwait(false);
        var secretRefs = users.SelectMany(Indexes.UserSecretIndex).Concat(Indexes.ServerSecretIndex(entity)).Select(Indexes.ParseKey)
            .Select(k => (k.Namespace, k.Name));
        await _secrets.RefreshAsync(secretRefs, cancellationToken).ConfigureAwait(false);

        var options = AclCompiler.OptionsFor(entity);
        var result = AclCompiler.Compile(new AclCompileRequest
        {
            Server = entity,
            Acls = acls,
            Users = users,
            Secrets = _secrets.Resolver(ns, (n, r) => overrides.TryGetValue((n, r.Name, r.Key), out var o) ? o : null),
            Options = options,
        });

        await state.Publisher.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (state.Publisher.Repairing is { } torn)
        {
            await _events.RecordAsync(entity, EventTypes.Warning, "SnapshotRepaired", torn + "; publishing over it with the entries that do", cancellationToken).ConfigureAwait(false);
        }

        var published = state.Publisher.Published;
        var desired = Desired(entity, result, published);

        int dropped = published.Keys.Count(n => !desired.ContainsKey(n));
        if (published.Count >= 10 && dropped > published.Count * _options.MaxDropFraction && state.ConfirmedDropTo != desired.Count)
        {
            if (!await ConfirmDropAsync(entity, key, users.Count, dropped, published.Count, cancellationToken).ConfigureAwait(false))
            {
                return ReconcileResult.After(TimeSpan.FromSeconds(1));
            }

            state.ConfirmedDropTo = desired.Count;
        }

        bool runtimeAcl = string.Equals(entity.Spec?.RuntimeAcl, "Allow", StringComparison.Ordinal);
        PublishOutcome outcome;
        try
        {
            outcome = await state.Publisher.PublishAsync(desired.Values.ToList(), runtimeAcl, AclCompiler.TenantCeilings(entity), cancellationToken).ConfigureAwait(false);
            await state.Publisher.EnsureRuntimeSecretAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SnapshotConflictException e)
        {
            LogPublishConflict(_logger, ns, key.Name, e.Message);
            await _events.RecordAsync(entity, EventTypes.Warning, "PublishConflict", e.Message, cancellationToken).ConfigureAwait(false);
            return ReconcileResult.Retry();
        }

        if (outcome.Changed)
        {
            state.LastPublish = _time.GetUtcNow();
            state.ConfirmedDropTo = null;
            LogPublished(_logger, ns, key.Name, outcome.Revision, outcome.ChangedUsers.Count, outcome.Entries.Count, outcome.ShardsWritten);
            await _events.RecordAsync(entity, EventTypes.Normal, "Published",
                $"ACL revision {outcome.Revision}: {outcome.ChangedUsers.Count} user(s) changed, {outcome.Entries.Count} user(s) in total", cancellationToken).ConfigureAwait(false);
        }

        string image = _workload.ResolveImage(entity);
        var workloadChanges = await _workload.ApplyAsync(entity, cancellationToken).ConfigureAwait(false);
        if (workloadChanges.Count > 0)
        {
            await _events.RecordAsync(entity, EventTypes.Normal, "Applied", "applied " + string.Join(", ", workloadChanges), cancellationToken).ConfigureAwait(false);
        }

        // The workload includes one Lease per pod (created by the operator, renewed by the pod by name, O5).
        int replicas = entity.Spec?.Replicas ?? 1;

        // Statuses and events are written off the publish path (O12 is about conditions, the pods need only the
        // snapshot): the next publish never waits for this one's status writes.
        ScheduleStatus(key, state, new StatusPass(entity, users, result, outcome, replicas, image, outcome.ChangedUsers.ToHashSet(StringComparer.Ordinal)), cancellationToken);

        // O8: a transient failure kept the user's last published entry; no event may follow when it clears (a Secret GET
        // that failed leaves the Secret unchanged), so try again with the queue's backoff until it does.
        return result.Diagnostics.Any(d => Transient(d.Reason)) ? ReconcileResult.Retry() : ReconcileResult.Done;
    }

    public Task<ReconcileResult> DeletedAsync(RedisAclServer entity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entity);

        // Owned objects go with the garbage collector (ownerReferences); only our memory of the server is dropped.
        _state.TryRemove(ObjectKey.Of(entity), out _);
        return Task.FromResult(ReconcileResult.Done);
    }

    /// <summary>The users to publish: every compiled user, plus the last published entry of objects that failed non-authoritatively (O8).</summary>
    private static Dictionary<string, SnapshotUser> Desired(RedisAclServer server, AclCompileResult result, IReadOnlyDictionary<string, SnapshotEntry> published)
    {
        var desired = new Dictionary<string, SnapshotUser>(StringComparer.Ordinal);
        foreach (var cu in result.Users)
        {
            desired[cu.User.Name] = SnapshotUser.From(cu.User) with { Source = cu.Source.ToString() };
        }

        var keep = result.Diagnostics.GroupBy(d => d.Subject)
            .Where(g => g.All(d => !Authoritative(d.Reason)))
            .Select(g => g.Key.ToString())
            .ToHashSet(StringComparer.Ordinal);
        foreach (var e in published.Values)
        {
            if (e.Source is not null && keep.Contains(e.Source) && !desired.ContainsKey(e.Name))
            {
                desired[e.Name] = new SnapshotUser(e.Name, e.Rules, e.Hashes) { Source = e.Source };
            }
        }

        if (!desired.ContainsKey(Acl.Users.AclUserTable.DefaultUserName))
        {
            // An invalid default user is off with no permissions, never Redis's open stock default.
            desired[Acl.Users.AclUserTable.DefaultUserName] = SnapshotUser.From(result.Table.Default) with { Source = ObjectRef.Of(server).ToString() };
        }

        return desired;
    }

    /// <summary>O8: a publish that drops many users first needs a fresh list from the API that agrees with the cache.</summary>
    private async Task<bool> ConfirmDropAsync(RedisAclServer server, ObjectKey key, int cachedUsers, int dropped, int total, CancellationToken ct)
    {
        int fresh;
        try
        {
            if (_watchedNamespaces.Count == 0)
            {
                var list = await _client.CustomObjects.ListClusterCustomObjectAsync<RedisAclUserList>(AclopApi.Group, AclopApi.Version, "redisaclusers", cancellationToken: ct).ConfigureAwait(false);
                fresh = list.Items.Count(u => Indexes.ServerOf(u) == key);
            }
            else
            {
                fresh = 0;
                foreach (var ns in _watchedNamespaces)
                {
                    var list = await _client.CustomObjects.ListNamespacedCustomObjectAsync<RedisAclUserList>(AclopApi.Group, AclopApi.Version, ns, "redisaclusers", cancellationToken: ct).ConfigureAwait(false);
                    fresh += list.Items.Count(u => Indexes.ServerOf(u) == key);
                }
            }
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException)
        {
            return false;
        }

        bool agrees = fresh == cachedUsers;
        await _events.RecordAsync(server, EventTypes.Warning, "UsersDropped",
            agrees
                ? $"publishing an ACL without {dropped} of {total} users (confirmed by a fresh list of RedisAclUsers)"
                : $"not publishing: the ACL would drop {dropped} of {total} users but the cache ({cachedUsers}) and the API ({fresh}) disagree; waiting for a resync",
            ct).ConfigureAwait(false);
        return agrees;
    }

    /// <summary>
    /// Creates the connection Secret of every <c>generatePassword</c> user that has none (create-only, O3) and returns
    /// lookups for the compile: the fresh hash of a Secret just created, Conflict for one we do not own.
    /// </summary>
    private async Task<Dictionary<(string Ns, string Name, string Key), SecretLookup>> EnsureGeneratedSecretsAsync(
        RedisAclServer server, IReadOnlyList<RedisAclUser> users, CancellationToken ct)
    {
        var result = new Dictionary<(string, string, string), SecretLookup>();
        foreach (var user in users)
        {
            if (user.Spec?.GeneratePassword != true || user.Metadata.DeletionTimestamp is not null)
            {
                continue;
            }

            var ns = user.Metadata.NamespaceProperty ?? "";
            var name = RedisAclUser.GeneratedSecretName(user.Metadata.Name);
            if (_secrets.Exists(ns, name))
            {
                if (!_secrets.OwnersOf(ns, name).Any(o => o.Uid == user.Metadata.Uid))
                {
                    result[(ns, name, RedisAclUser.GeneratedPasswordKey)] = SecretLookup.Conflict();
                }

                continue;
            }

            var password = PasswordGenerator.Generate();
            var username = AclCompiler.UsernameFor(server, user);
            var serverNs = server.Metadata.NamespaceProperty ?? "";
            var host = $"{server.Metadata.Name}.{serverNs}.svc";
            var port = (server.Spec?.Service?.Port ?? 6379).ToString(CultureInfo.InvariantCulture);
            var scheme = string.IsNullOrEmpty(server.Spec?.Service?.TlsSecretName) ? "redis" : "rediss";
            var secret = new V1Secret
            {
                Metadata = new V1ObjectMeta
                {
                    Name = name,
                    NamespaceProperty = ns,
                    Labels = new Dictionary<string, string>
                    {
                        [SnapshotNames.ManagedByLabel] = SnapshotNames.ManagedBy,
                        ["aclop.dev/user"] = user.Metadata.Name,
                    },
                    OwnerReferences = [KubernetesObjects.ControllerReference(user)],
                },
                Type = "Opaque",
                StringData = new Dictionary<string, string>
                {
                    ["username"] = username,
                    ["password"] = password,
                    ["host"] = host,
                    ["port"] = port,
                    ["url"] = $"{scheme}://{Uri.EscapeDataString(username)}:{password}@{host}:{port}",
                },
            };
            try
            {
                var created = await _client.CoreV1.CreateNamespacedSecretAsync(secret, ns, cancellationToken: ct).ConfigureAwait(false);
                _secrets.Store(created);
                result[(ns, name, RedisAclUser.GeneratedPasswordKey)] = SecretLookup.Found(System.Text.Encoding.ASCII.GetBytes(PasswordHasher.Hash(System.Text.Encoding.ASCII.GetBytes(password))));
                await _events.RecordAsync(user, EventTypes.Normal, "PasswordGenerated", $"generated a 256-bit password in Secret {name}", ct).ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                // Someone created it meanwhile: the informer brings it and the next reconcile checks its owner.
                result[(ns, name, RedisAclUser.GeneratedPasswordKey)] = SecretLookup.Unavailable("just created by someone else");
            }
        }

        return result;
    }

    /// <summary>Which running pods enforce which revision (from their Leases, O12).</summary>
    private sealed record EnforcementState(IReadOnlyList<(string Pod, long Revision)> Running)
    {
        /// <summary>The lowest revision any running pod enforces; 0 when none runs.</summary>
        public long MinRevision => Running.Count == 0 ? 0 : Running.Min(r => r.Revision);

        public int AtLeast(long revision) => Running.Count(r => r.Revision >= revision);
    }

    private EnforcementState Enforcement(RedisAclServer server) =>
        new([.. ServerPods.Running(server, _pods.Cache, _leases.Cache).Select(p => (p.Name, p.Revision))]);

    /// <summary>Queues <paramref name="pass"/> for the server's status writer, starting it when none runs.</summary>
    private void ScheduleStatus(ObjectKey key, ServerState state, StatusPass pass, CancellationToken ct)
    {
        lock (state.StatusGate)
        {
            state.PendingStatus = Fold(state.PendingStatus, pass);
            if (state.StatusRunning)
            {
                return;
            }

            state.StatusRunning = true;
        }

        _ = Task.Run(() => WriteStatusesAsync(key, state, ct), CancellationToken.None);
    }

    /// <summary>The newer pass, remembering the older one's changed users (their Published events are still owed).</summary>
    private static StatusPass Fold(StatusPass? older, StatusPass newer) =>
        older is null ? newer : newer with { Changed = older.Changed.Union(newer.Changed, StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal) };

    /// <summary>
    /// The server's status writer: writes the newest pending pass with the enforcement the pods report now, until none is
    /// pending. A failed pass is tried again after a second unless a newer one came. Stops with the controller (its
    /// token: a lost lease stops the writes too) or when the server is gone.
    /// </summary>
    private async Task WriteStatusesAsync(ObjectKey key, ServerState state, CancellationToken ct)
    {
        while (true)
        {
            StatusPass? pass;
            lock (state.StatusGate)
            {
                pass = state.PendingStatus;
                state.PendingStatus = null;
                if (pass is null || ct.IsCancellationRequested || !_state.TryGetValue(key, out var current) || !ReferenceEquals(current, state))
                {
                    state.StatusRunning = false;
                    return;
                }
            }

            try
            {
                var enforcement = Enforcement(pass.Server);
                await WriteUserStatusesAsync(pass, enforcement, ct).ConfigureAwait(false);
                await WriteServerStatusAsync(pass.Server, pass.Result, pass.Outcome, enforcement, pass.Replicas, pass.Image, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Stopping: the loop ends at the top.
            }
#pragma warning disable CA1031 // A failed pass (API errors) is logged and tried again; the writer must not die.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogStatusFailed(_logger, key.Namespace, key.Name, e.Message);
                lock (state.StatusGate)
                {
                    state.PendingStatus = state.PendingStatus is { } newer ? Fold(pass, newer) : pass;
                }

                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _time, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Stopping.
                }
            }
        }
    }

    private async Task WriteUserStatusesAsync(StatusPass pass, EnforcementState enforcement, CancellationToken ct)
    {
        var (server, users, result, outcome) = (pass.Server, pass.Users, pass.Result, pass.Outcome);
        var bySource = new Dictionary<string, SnapshotEntry>(StringComparer.Ordinal);
        foreach (var e in outcome.Entries.Values)
        {
            if (e.Source is not null)
            {
                bySource[e.Source] = e;
            }
        }

        var changed = pass.Changed;
        var now = _time.GetUtcNow().UtcDateTime;
        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (user, token) =>
        {
            if (user.Metadata.DeletionTimestamp is not null)
            {
                return;
            }

            var subject = ObjectRef.Of(user);
            var diagnostics = result.DiagnosticsFor(subject);
            var compiled = result.UserFor(subject);
            var entry = bySource.GetValueOrDefault(subject.ToString());
            var view = UserStatusView.Compute(server, user, diagnostics, compiled, entry, enforcement.Running.Count, enforcement.MinRevision,
                _secrets, AclCompiler.UsernameFor(server, user));
            var before = user.Status;
            var written = await _status.UpdateStatusAsync(user, u => view.ApplyTo(u, now), token).ConfigureAwait(false);
            if (!ReferenceEquals(written, user))
            {
                Interlocked.Increment(ref _userStatusWrites);
            }

            foreach (var (type, reason, message) in view.Events(before, entry is not null && changed.Contains(entry.Name), outcome.Revision))
            {
                await _events.RecordAsync(user, type, reason, message, token).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
    }

    private async Task WriteServerStatusAsync(RedisAclServer server, AclCompileResult result, PublishOutcome outcome, EnforcementState enforcement,
        int replicas, string image, CancellationToken ct)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var subject = ObjectRef.Of(server);
        var diagnostics = result.DiagnosticsFor(subject);
        int atRevision = enforcement.AtLeast(outcome.Revision);
        bool enforced = enforcement.Running.Count == replicas && atRevision == replicas;
        bool valid = diagnostics.Count == 0;
        var d = server.Spec?.DefaultUser;
        bool open = d?.Enabled == true && d.NoPassword == true;
        bool wasOpen = ConditionList.IsTrue(server.Status?.Conditions, "DefaultUserOpen");
        long? generation = server.Metadata.Generation;
        await _status.UpdateStatusAsync(server, s =>
        {
            var st = s.Status ??= new RedisAclServerStatus();
            st.ObservedGeneration = generation;
            st.Revision = outcome.Revision.ToString(CultureInfo.InvariantCulture);
            st.Replicas = enforcement.Running.Count;
            st.EnforcedReplicas = atRevision;
            st.UserCount = outcome.Entries.Count;
            st.Image = image;
            var c = st.Conditions;
            c = ConditionList.Set(c, ConditionTypes.Valid, valid, valid ? "Compiled" : diagnostics[0].Reason,
                valid ? "the server spec compiles" : string.Join("; ", diagnostics.Select(x => x.ToString())), generation, now);
            c = ConditionList.Set(c, ConditionTypes.Enforced, enforced, enforced ? "AllReplicasEnforce" : "WaitingForReplicas",
                $"{atRevision}/{replicas} replicas enforce revision {outcome.Revision}", generation, now);
            c = ConditionList.Set(c, ConditionTypes.Ready, valid && enforced, valid && enforced ? "Ready" : (valid ? "WaitingForReplicas" : diagnostics[0].Reason),
                valid && enforced ? $"revision {outcome.Revision} is enforced by every replica" : $"{atRevision}/{replicas} replicas enforce revision {outcome.Revision}", generation, now);
            if (!enforced)
            {
                ConditionList.Set(c, ConditionTypes.Reconciling, true, "WaitingForReplicas", $"{atRevision}/{replicas} replicas enforce revision {outcome.Revision}", generation, now);
            }
            else
            {
                ConditionList.Remove(c, ConditionTypes.Reconciling);
            }

            if (!valid)
            {
                ConditionList.Set(c, ConditionTypes.Stalled, true, diagnostics[0].Reason, diagnostics[0].ToString(), generation, now);
            }
            else
            {
                ConditionList.Remove(c, ConditionTypes.Stalled);
            }

            if (open)
            {
                ConditionList.Set(c, "DefaultUserOpen", true, "NoPassword", "the default user is enabled with noPassword: every client can connect without a password", generation, now);
            }
            else
            {
                ConditionList.Remove(c, "DefaultUserOpen");
            }

            st.Conditions = c;
        }, ct).ConfigureAwait(false);

        if (open && !wasOpen)
        {
            await _events.RecordAsync(server, EventTypes.Warning, "DefaultUserOpen",
                "the default user is enabled with noPassword: every client can connect without a password", ct).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published ACL revision {Revision} of {Namespace}/{Server}: {Changed} user(s) changed, {Users} in total, {Objects} shard object(s) written")]
    private static partial void LogPublished(ILogger logger, string @namespace, string server, long revision, int changed, int users, int objects);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing the statuses of {Namespace}/{Server} failed (tried again): {Reason}")]
    private static partial void LogStatusFailed(ILogger logger, string @namespace, string server, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing the ACL of {Namespace}/{Server} conflicted: {Reason}")]
    private static partial void LogPublishConflict(ILogger logger, string @namespace, string server, string reason);
}
