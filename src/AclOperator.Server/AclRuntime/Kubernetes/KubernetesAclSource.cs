using System.Collections.Frozen;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using AclOperator.Acl;
using AclOperator.Acl.Users;
using AclOperator.Acl.Containment;
using AclOperator.Api.Snapshots;
using Microsoft.Extensions.Logging;

namespace AclOperator.Server.AclRuntime.Kubernetes;

/// <summary>
/// Kubernetes mode (<c>kubernetes &lt;server&gt;</c>): the ACL is the RedisAclServer's published snapshot (O6) plus the
/// runtime users Secret (O9), read through the API — never from mounted files, which lag by a minute.
/// <list type="bullet">
/// <item>Loading is ACL LOAD: a complete verified snapshot (<see cref="SnapshotReader"/>) and the runtime users become one
/// table (<see cref="SnapshotTableBuilder"/>, managed users win), swapped in all-or-nothing by <see cref="AclManager"/>
/// with ACL LOAD's connection rules, plus O15: connections of managed users that were disabled or lost a password close
/// too (runtime users follow ACL SETUSER's rule, the same on every replica). A
/// torn, invalid or unreachable snapshot keeps the current ACL, is logged and counted as a failed reload. The revision
/// enforced is the manifest's.</item>
/// <item>Changes arrive through list+watch of the manifest ConfigMap and the runtime Secret by name, with a re-read
/// every <see cref="KubernetesSourceOptions.ResyncPeriod"/> as a safety net; a re-read that finds what is enforced
/// changes nothing.</item>
/// <item>Each applied snapshot is kept as last-good on disk and loaded at start before the API is reached (O7); the
/// revision is reported on the pod's Lease after every apply and every <see cref="KubernetesSourceOptions.LeaseRenewPeriod"/>
/// (O5, O12).</item>
/// <item>ACL SETUSER / DELUSER of runtime users are written through to the runtime Secret by compare-and-swap before they
/// apply; managed users and, with <c>runtimeAcl: Deny</c>, every user are refused; ACL SAVE reports success (O9).</item>
/// </list>
/// </summary>
public sealed partial class KubernetesAclSource : IWriteThroughAclSource, IAsyncDisposable
{
    /// <summary>Prefix of every load error (client ACL LOAD reply after <c>ERR </c>, and the log).</summary>
    public const string LoadErrorPrefix = "Error loading ACLs from Kubernetes: ";

    private readonly k8s.Kubernetes _client;
    private readonly KubernetesSourceOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SnapshotReader _reader;
    private readonly SnapshotTableBuilder _builder = new();
    private readonly RuntimeUsersStore _runtime;
    private readonly LeaseReporter? _lease;
    private readonly DateTimeOffset _started;
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Channel<bool> _applies = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private volatile Enforced? _enforced;
    private long _verifiedAtUnixMs = -1;
    private string? _lastLoggedError;

    /// <param name="options">What to read and where (see <see cref="KubernetesSourceOptions.FromConfig"/>).</param>
    /// <param name="logger">Loads, failures and reports; never a password or a hash.</param>
    /// <param name="time">The clock (Lease renew times, snapshot age).</param>
    /// <param name="client">An API client; by default one from <paramref name="options"/> (owned and disposed by this source).</param>
    public KubernetesAclSource(KubernetesSourceOptions options, ILogger logger, TimeProvider? time = null, k8s.Kubernetes? client = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _client = client ?? options.CreateClient();
        _reader = new SnapshotReader(_client, options.Namespace, options.Server);
        _runtime = new RuntimeUsersStore(_client, options);
        _lease = options.PodName is { } pod ? new LeaseReporter(_client, options, pod, _time) : null;
        _started = _time.GetUtcNow();
    }

    /// <summary>What is enforced: the snapshot, the runtime users as stored, and what identifies them in the API.</summary>
    private sealed record Enforced(
        SnapshotContent Content,
        RuntimeUsersDocument Runtime,
        string? ManifestVersion,
        string? RuntimeVersion,
        AclOptions Options,
        FrozenSet<string> Managed)
    {
        public string Revision => Content.Revision.ToString(CultureInfo.InvariantCulture);
    }

    public string Description => $"kubernetes {_options.Namespace}/{_options.Server}";

    public KubernetesSourceOptions Options => _options;

    /// <summary>The manifest revision enforced now, or null before the first load.</summary>
    public string? Revision => _enforced?.Revision;

    /// <summary>When the enforced revision was last read from or confirmed by the API (for a last-good start: when it was); null before.</summary>
    public DateTimeOffset? VerifiedAt
    {
        get
        {
            long ms = Interlocked.Read(ref _verifiedAtUnixMs);
            return ms < 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(ms);
        }
    }

    /// <summary>
    /// The last-good snapshot (O7), as a table to publish before the API is reached; null when there is none or it cannot
    /// be used (logged).
    /// </summary>
    public async Task<AclSourceResult?> LoadLastGoodAsync(AclOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        LastGoodSnapshot? saved;
        try
        {
            saved = await LastGoodSnapshot.ReadAsync(_options.LastGoodPath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            LogLastGoodUnusable(_logger, _options.LastGoodPath, e.Message);
            return null;
        }

        if (saved is null)
        {
            LogNoLastGood(_logger, _options.LastGoodPath);
            return null;
        }

        if (saved.FormatVersion != LastGoodSnapshot.CurrentFormat || saved.Namespace != _options.Namespace || saved.Server != _options.Server)
        {
            LogLastGoodUnusable(_logger, _options.LastGoodPath, $"it belongs to {saved.Namespace}/{saved.Server} (format {saved.FormatVersion})");
            return null;
        }

        var content = saved.ToContent();
        var (table, error) = _builder.Build(content, saved.RuntimeUsers, options);
        if (table is null)
        {
            LogLastGoodUnusable(_logger, _options.LastGoodPath, Redact(error ?? ""));
            return null;
        }

        // No resourceVersions: the first read from the API swaps its own content in, whatever it is.
        var state = new Enforced(content, new RuntimeUsersDocument { Users = saved.RuntimeUsers }, null, null, options, ManagedNames(content));
        var verifiedAt = saved.VerifiedAt;
        return new AclSourceResult(table, null, state.Revision)
        {
            Applied = () =>
            {
                LogLastGoodLoaded(_logger, state.Revision, _options.LastGoodPath, verifiedAt);
                OnApplied(state, verifiedAt);
            },
        };
    }

    public async Task<AclSourceResult> LoadAsync(AclOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        SnapshotReadResult read;
        try
        {
            read = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException or FormatException)
        {
            // An object the API returned that is not what its kind promises (the reader handles API failures).
            return Failed(e.Message);
        }

        if (read.Status != SnapshotReadStatus.Loaded)
        {
            return Failed(read.Error ?? read.Status.ToString());
        }

        RuntimeUsersDocument runtime;
        string? runtimeVersion;
        try
        {
            (runtime, runtimeVersion) = await _runtime.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            return Failed(e.Message);
        }
        catch (Exception e) when (KubernetesErrorText.IsApiFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            return Failed($"runtime users Secret {_runtime.Description}: {KubernetesErrorText.Describe(e)}");
        }

        var content = read.Content!;
        var now = _time.GetUtcNow();
        var enforced = _enforced;
        if (enforced is not null && enforced.ManifestVersion == content.ManifestResourceVersion &&
            enforced.RuntimeVersion == runtimeVersion && enforced.Options == options)
        {
            MarkVerified(now);
            _lastLoggedError = null;
            return new AclSourceResult(null, null) { Unchanged = true };
        }

        var (table, error) = _builder.Build(content, runtime.Users, options);
        if (table is null)
        {
            return Failed($"revision {content.Revision.ToString(CultureInfo.InvariantCulture)}: {error}");
        }

        var state = new Enforced(content, runtime, content.ManifestResourceVersion, runtimeVersion, options, ManagedNames(content));
        _lastLoggedError = null;
        return new AclSourceResult(table, null, state.Revision) { RevokeSessionsOf = state.Managed, Applied = () => OnApplied(state, now) };
    }

    /// <summary>ACL SAVE: runtime users are persisted when they are set (O9), so there is nothing left to save.</summary>
    public Task<string?> SaveAsync(AclUserTable table, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    public async Task<RuntimeUserChange> SetUserAsync(string name, IReadOnlyList<byte[]> rules, AclOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(options);
        var enforced = _enforced;
        if (Refusal("SETUSER", [name], enforced) is { } refused)
        {
            return new RuntimeUserChange(null, refused);
        }

        AclUser? user = null;
        try
        {
            var (stored, version) = await _runtime.UpdateAsync(users =>
            {
                // SETUSER changes the user as stored, which another replica may have changed since this pod saw it.
                int index = users.Users.FindIndex(u => u.Name == name);
                AclUser? existing = null;
                if (index >= 0)
                {
                    var current = users.Users[index];
                    existing = SnapshotTableBuilder.Parse([(name, current.Rules, (IReadOnlyList<string>)current.Hashes)], "runtime users", options, out var invalid)?[0]
                        ?? throw new RuntimeUsersChangeException($"the stored runtime user '{name}' is invalid: {Redact(invalid ?? "")}");
                }

                var result = AclUserRules.Apply(name, existing, rules, options);
                user = result.User ?? throw new RuntimeUsersChangeException(result.Error ?? "invalid rules");
                if (CeilingRefusal(name, user, enforced!.Content.Manifest, options) is { } exceeded)
                {
                    throw new RuntimeUsersChangeException(exceeded);
                }
                var entry = new RuntimeUser { Name = name, Rules = SnapshotCodec.RulesWithoutHashes(user), Hashes = [.. user.PasswordHashes] };
                if (index >= 0)
                {
                    users.Users[index] = entry;
                }
                else
                {
                    users.Users.Add(entry);
                }

                return true;
            }, cancellationToken).ConfigureAwait(false);
            Stored(stored, version);
            return new RuntimeUserChange(user, null);
        }
        catch (RuntimeUsersChangeException e)
        {
            return new RuntimeUserChange(null, e.Message);
        }
        catch (Exception e) when (e is InvalidDataException || (KubernetesErrorText.IsApiFailure(e) && !cancellationToken.IsCancellationRequested))
        {
            return new RuntimeUserChange(null, NotSaved(e));
        }
    }

    public async Task<RuntimeUserDeletion> DeleteUsersAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(names);
        var enforced = _enforced;
        if (Refusal("DELUSER", names, enforced) is { } refused)
        {
            return new RuntimeUserDeletion([], refused);
        }

        var deleted = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var (stored, version) = await _runtime.UpdateAsync(users =>
            {
                deleted.Clear();
                foreach (var n in names)
                {
                    if (users.Users.RemoveAll(u => u.Name == n) > 0)
                    {
                        deleted.Add(n);
                    }
                }

                return deleted.Count > 0;
            }, cancellationToken).ConfigureAwait(false);
            Stored(stored, version);
            return new RuntimeUserDeletion(deleted, null);
        }
        catch (Exception e) when (e is InvalidDataException || (KubernetesErrorText.IsApiFailure(e) && !cancellationToken.IsCancellationRequested))
        {
            return new RuntimeUserDeletion([], NotSaved(e));
        }
    }

    /// <summary>
    /// Starts following the API into <paramref name="acl"/>: watches of the manifest and the runtime Secret, the periodic
    /// re-read, and the reporter that keeps last-good and the Lease current. Loads go through
    /// <see cref="AclManager.LoadAsync"/>, the code path of a client's ACL LOAD.
    /// </summary>
    public void StartWatching(AclManager acl)
    {
        ArgumentNullException.ThrowIfNull(acl);
        var token = _stop.Token;
        var manifest = new NamedObjectWatch(_client, _options.Namespace, "configmaps", _options.ManifestName, Signal, _options, _logger);
        var runtime = new NamedObjectWatch(_client, _options.Namespace, "secrets", _options.RuntimeSecretName, Signal, _options, _logger);
        _loops.Add(Task.Run(() => manifest.RunAsync(token), CancellationToken.None));
        _loops.Add(Task.Run(() => runtime.RunAsync(token), CancellationToken.None));
        _loops.Add(Task.Run(() => ReloadLoopAsync(acl, token), CancellationToken.None));
        _loops.Add(Task.Run(() => ReportLoopAsync(acl, token), CancellationToken.None));
        LogWatching(_logger, _options.Namespace, _options.Server, _options.ManifestName, _options.RuntimeSecretName, _options.PodName ?? "(none: POD_NAME unset)");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var loop in _loops)
        {
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped while waiting for the API.
            }
        }

        _stop.Dispose();
        _client.Dispose();
    }

    /// <summary>
    /// O2: a runtime user named with a tenant's username prefix is that tenant's user, so it gets the check a RedisAclUser
    /// of that namespace gets: its effective permissions within the tenant's ceiling and the tenant floor.
    /// </summary>
    internal static string? CeilingRefusal(string name, AclUser user, ManifestDocument manifest, AclOptions options)
    {
        foreach (var t in manifest.Tenants ?? [])
        {
            if (t.Prefix.Length == 0 || !name.StartsWith(t.Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var ceiling = AclContainment.BuildCeiling(t.Ceiling, applyTenantFloor: true, options);
            if (ceiling.Ceiling is null)
            {
                return $"User '{name}' has the username prefix '{t.Prefix}' of tenant namespace {t.Namespace}, whose ceiling is invalid: {ceiling.Error}";
            }

            var check = AclContainment.Check(user, ceiling.Ceiling, ceiling.AllowsNoPass, options);
            if (!check.IsContained)
            {
                return $"User '{name}' has the username prefix '{t.Prefix}' of tenant namespace {t.Namespace} and exceeds its ceiling: {check.Summary}";
            }
        }

        return null;
    }

    /// <summary>The text after <c>ERR </c> when the client may not change <paramref name="names"/> at runtime; null when it may.</summary>
    private static string? Refusal(string command, IReadOnlyList<string> names, Enforced? enforced)
    {
        if (enforced is null)
        {
            return $"ACL {command} is not available until the ACL snapshot is loaded";
        }

        if (!enforced.Content.Manifest.RuntimeAcl)
        {
            return $"ACL {command} is disabled on this server: users are managed by RedisAclUser objects (spec.runtimeAcl: Deny)";
        }

        foreach (var n in names)
        {
            if (n == AclUserTable.DefaultUserName)
            {
                // DELUSER keeps Redis's own reply; SETUSER names who owns the default user.
                return command == "DELUSER"
                    ? AclUserTable.CannotDeleteDefaultError
                    : "User 'default' is managed by the RedisAclServer (spec.defaultUser) and cannot be changed at runtime";
            }
        }

        foreach (var n in names)
        {
            if (enforced.Managed.Contains(n))
            {
                // Never the owning object's namespace: it may be another tenant's (O1).
                return $"User '{n}' is managed by a RedisAclUser and cannot be changed at runtime";
            }
        }

        return null;
    }

    private string NotSaved(Exception e)
    {
        var cause = e is InvalidDataException ? e.Message : KubernetesErrorText.Describe(e);
        LogNotSaved(_logger, _runtime.Description, cause);
        return $"Could not save runtime users to Secret {_runtime.Description}, nothing was changed: {cause}";
    }

    /// <summary>A write-through stored these runtime users: they are what is enforced once the caller applies its change.</summary>
    private void Stored(RuntimeUsersDocument users, string? version)
    {
        if (_enforced is { } current)
        {
            _enforced = current with { Runtime = users, RuntimeVersion = version };
            _applies.Writer.TryWrite(true);
        }
    }

    private void OnApplied(Enforced state, DateTimeOffset verifiedAt)
    {
        _enforced = state;
        MarkVerified(verifiedAt);
        LogEnforcing(_logger, state.Revision, _options.Namespace, _options.Server, state.Content.UserCount, state.Runtime.Users.Count);
        _applies.Writer.TryWrite(true);
    }

    private void MarkVerified(DateTimeOffset at) => Interlocked.Exchange(ref _verifiedAtUnixMs, at.ToUnixTimeMilliseconds());

    private AclSourceResult Failed(string cause)
    {
        var text = LoadErrorPrefix + Redact(cause);
        if (text != _lastLoggedError)
        {
            _lastLoggedError = text;
            LogLoadFailed(_logger, text);
        }
        else
        {
            LogLoadFailedAgain(_logger, text);
        }

        return new AclSourceResult(null, text);
    }

    private void Signal() => _changes.Writer.TryWrite(true);

    private async Task ReloadLoopAsync(AclManager acl, CancellationToken ct)
    {
        int failures = 0;
        while (!ct.IsCancellationRequested)
        {
            var wait = failures == 0
                ? _options.ResyncPeriod
                : TimeSpan.FromTicks(Math.Min(_options.MinRetryDelay.Ticks << Math.Min(failures, 16), _options.MaxRetryDelay.Ticks));
            await WaitAsync(_changes.Reader, wait, ct).ConfigureAwait(false);
            if (ct.IsCancellationRequested)
            {
                break;
            }

            try
            {
                // Errors were logged by LoadAsync; the current ACL stays and AclManager counted a failed reload.
                failures = await acl.LoadAsync(ct).ConfigureAwait(false) is null ? 0 : failures + 1;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // Following the API must outlive any one failed load; the next signal or re-read tries again.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failures++;
                acl.ReportLoadFailed();
                LogReloadCrashed(_logger, e);
            }
        }
    }

    private async Task ReportLoopAsync(AclManager acl, CancellationToken ct)
    {
        Enforced? persisted = null;
        while (!ct.IsCancellationRequested)
        {
            await WaitAsync(_applies.Reader, _options.LeaseRenewPeriod, ct).ConfigureAwait(false);
            if (ct.IsCancellationRequested || _enforced is not { } state)
            {
                continue;
            }

            if (!ReferenceEquals(state, persisted))
            {
                try
                {
                    var saved = LastGoodSnapshot.From(_options.Namespace, _options.Server, state.Content, state.Runtime.Users, VerifiedAt ?? _time.GetUtcNow());
                    await saved.WriteAsync(_options.LastGoodPath, ct).ConfigureAwait(false);
                    persisted = state;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    LogLastGoodNotWritten(_logger, _options.LastGoodPath, e.Message);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    break;
                }
            }

            if (_lease is null)
            {
                continue;
            }

            try
            {
                await _lease.ReportAsync(state.Revision, acl.UserDenials.Report(_started), ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // A failed report is retried at the next renewal; the Lease must never stop being renewed.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogLeaseFailed(_logger, _options.PodName!, KubernetesErrorText.Describe(e));
            }
        }
    }

    /// <summary>Waits for a signal or <paramref name="timeout"/>, whichever comes first.</summary>
    private static async Task WaitAsync(ChannelReader<bool> signals, TimeSpan timeout, CancellationToken ct)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        try
        {
            await signals.ReadAsync(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Timed out, or stopping (the caller checks).
        }
    }

    private static FrozenSet<string> ManagedNames(SnapshotContent content) =>
        content.Entries.Select(e => e.Name).Append(AclUserTable.DefaultUserName).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Error texts may quote an aclfile entry; a <c>#&lt;hash&gt;</c> in it is never logged or replied (O4).</summary>
    internal static string Redact(string text) => HashPattern().Replace(text, "#<hash>");

    [GeneratedRegex("#[0-9a-fA-F]{8,}")]
    private static partial Regex HashPattern();

    [LoggerMessage(Level = LogLevel.Information, Message = "Following the ACL of RedisAclServer {Namespace}/{Server} (ConfigMap {Manifest}, Secret {Runtime}; Lease {Pod})")]
    private static partial void LogWatching(ILogger logger, string @namespace, string server, string manifest, string runtime, string pod);

    [LoggerMessage(Level = LogLevel.Information, Message = "Enforcing ACL revision {Revision} of {Namespace}/{Server}: {Users} managed users, {RuntimeUsers} runtime users")]
    private static partial void LogEnforcing(ILogger logger, string revision, string @namespace, string server, int users, int runtimeUsers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Error}; no change to the enforced ACL was performed")]
    private static partial void LogLoadFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Error} (again)")]
    private static partial void LogLoadFailedAgain(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ACL SETUSER/DELUSER not saved to Secret {Secret}: {Reason}")]
    private static partial void LogNotSaved(ILogger logger, string secret, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded last-good ACL revision {Revision} from {Path} (verified {VerifiedAt:O}); waiting for the API")]
    private static partial void LogLastGoodLoaded(ILogger logger, string revision, string path, DateTimeOffset verifiedAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "No last-good ACL at {Path}: nothing is enforced (clients get -LOADING) until the API delivers a snapshot")]
    private static partial void LogNoLastGood(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Last-good ACL {Path} is not used: {Reason}")]
    private static partial void LogLastGoodUnusable(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write the last-good ACL {Path}: {Reason}")]
    private static partial void LogLastGoodNotWritten(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reloading the ACL from Kubernetes failed unexpectedly; the current ACL stays")]
    private static partial void LogReloadCrashed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew Lease {Lease}: {Reason}")]
    private static partial void LogLeaseFailed(ILogger logger, string lease, string reason);
}
