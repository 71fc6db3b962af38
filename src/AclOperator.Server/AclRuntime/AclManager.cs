using System.Text;
using AclOperator.Acl;
using AclOperator.Acl.Users;

namespace AclOperator.Server.AclRuntime;

/// <summary>
/// The server's ACL: an immutable published <see cref="AclSnapshot"/> (read lock-free on every command), the ACL
/// LOG, the denial counters, and the operations that change it with Redis 7.4's connection rules (§7.4): DELUSER
/// closes the user's connections, SETUSER closes pub/sub connections whose subscriptions it revokes, LOAD closes
/// connections whose user is gone and re-binds the rest. Changes are serialised; connections re-resolve their user
/// when they see a new epoch (E5).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The load gate is a SemaphoreSlim whose wait handle is never created; it lives as long as the server.")]
public sealed class AclManager
{
    /// <summary>Redis's reply to commands without the <c>loading</c> flag while it loads; ours while no ACL is loaded (O7).</summary>
    public const string LoadingError = "LOADING Redis is loading the dataset in memory";

    public const string NoAclFileError =
        "This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.";

    private readonly AclOptions _baseOptions;
    private readonly IAclClientRegistry _clients;
    private readonly Lock _writeLock = new();

    // ACL LOADs (clients, watched sources) run one at a time, so a load that read older content never replaces a newer one.
    private readonly SemaphoreSlim _loadGate = new(1, 1);
    private volatile AclSnapshot _current;
    private volatile bool _pubsubDefaultAllChannels;
    private long _loads;
    private long _reloadsSucceeded;
    private long _reloadsFailed;

    public AclManager(AclOptions baseOptions, IAclSource? source, IAclClientRegistry clients)
    {
        ArgumentNullException.ThrowIfNull(baseOptions);
        _baseOptions = baseOptions;
        _pubsubDefaultAllChannels = baseOptions.PubsubDefaultAllChannels;
        Source = source;
        _clients = clients;
        // Until a table is loaded nobody can authenticate: the default user is off with no permissions, never Redis's
        // open stock default (O7). Start-up replaces it before clients connect, except when a watched source has not
        // delivered yet (Kubernetes mode).
        var closed = new AclUserTable(baseOptions);
        closed.Put(AclUser.Create(AclUserTable.DefaultUserName, baseOptions));
        _current = new AclSnapshot(closed, 1);
    }

    /// <summary>The current ACL; read it once per command.</summary>
    public AclSnapshot Current => _current;

    public IAclSource? Source { get; }

    /// <summary>ACL SETUSER and DELUSER are persisted by the source before they apply (Kubernetes mode, O9).</summary>
    public bool WritesThrough => Source is IWriteThroughAclSource;

    public AclLog Log { get; } = new();

    public AclStats Stats { get; } = new();

    /// <summary>Denials of existing users, by user (opt-in metric labels, the denial report on the pod's Lease).</summary>
    public UserDenials UserDenials { get; } = new();

    /// <summary>
    /// The revision enforced now (O12): the source's revision of the last complete table, or <c>local-&lt;n&gt;</c>
    /// counting complete tables published (start-up is <c>local-1</c>); null until one was loaded.
    /// </summary>
    public string? Revision => _current.Revision;

    /// <summary>True once a complete table was published (start-up load, ACL LOAD, a watched source).</summary>
    public bool IsLoaded => _current.Revision is not null;

    /// <summary>Complete tables swapped in after the first one (ACL LOAD, watched sources).</summary>
    public long ReloadsSucceeded => Interlocked.Read(ref _reloadsSucceeded);

    /// <summary>Reloads that kept the old ACL because the source could not be read or validated.</summary>
    public long ReloadsFailed => Interlocked.Read(ref _reloadsFailed);

    /// <summary><c>acl-pubsub-default</c>: read whenever a selector is created (new users, new selectors, reset).</summary>
    public bool PubsubDefaultAllChannels
    {
        get => _pubsubDefaultAllChannels;
        set => _pubsubDefaultAllChannels = value;
    }

    public AclOptions Options => _baseOptions with { PubsubDefaultAllChannels = _pubsubDefaultAllChannels };

    /// <summary>Raised after every publication (for metrics and the Kubernetes status reporter).</summary>
    public event Action<AclSnapshot>? Published;

    /// <summary>Raised with an operator-facing warning about the published ACL (E11 keyspace channels).</summary>
    public event Action<string>? Warning;

    /// <summary>Publishes a table as is (start-up and local sources); <paramref name="revision"/> as in <see cref="AclSourceResult"/>.</summary>
    public void Replace(AclUserTable table, string? revision = null)
    {
        lock (_writeLock)
        {
            PublishLoaded(table, revision);
        }

        WarnAboutKeyspaceChannels(table);
    }

    /// <summary>ACL SETUSER; returns null (<c>+OK</c>) or the error after <c>ERR </c>.</summary>
    public string? SetUser(string name, IReadOnlyList<byte[]> rules)
    {
        lock (_writeLock)
        {
            var result = AclUserRules.Apply(name, _current.Users.Find(name), rules, Options);
            if (result.User is null)
            {
                return result.Error;
            }

            PutUser(result.User);
            return null;
        }
    }

    /// <summary>
    /// ACL SETUSER from a client: persisted first when the source writes through (O9: the reply is OK only once the
    /// change is stored; an error changes nothing), then applied as <see cref="SetUser(string, IReadOnlyList{byte[]})"/>.
    /// </summary>
    public async Task<string?> SetUserAsync(string name, IReadOnlyList<byte[]> rules, CancellationToken cancellationToken)
    {
        if (Source is not IWriteThroughAclSource source)
        {
            return SetUser(name, rules);
        }

        // Serialised with loads, so a reload that read the store before this write cannot undo it afterwards.
        await _loadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var change = await source.SetUserAsync(name, rules, Options, cancellationToken).ConfigureAwait(false);
            if (change.User is null)
            {
                return change.Error;
            }

            lock (_writeLock)
            {
                PutUser(change.User);
            }

            return null;
        }
        finally
        {
            _loadGate.Release();
        }
    }

    /// <summary>Stores a user computed by SETUSER with its connection rule: pub/sub clients lose revoked channels.</summary>
    private void PutUser(AclUser user)
    {
        var existing = _current.Users.Find(user.Name);
        var table = _current.Users.Clone();
        table.Put(user);
        Publish(table);
        if (existing is not null)
        {
            var upcoming = PubSubRevocation.UpcomingChannels(user, existing);
            if (upcoming is not null)
            {
                foreach (var c in _clients.Snapshot())
                {
                    if (c.UserName == user.Name && PubSubRevocation.ShouldKill(c, upcoming))
                    {
                        Close(c);
                    }
                }
            }
        }

        if (KeyspaceChannelWarning.Applies(user))
        {
            Warning?.Invoke(KeyspaceChannelWarning.Message(user));
        }
    }

    /// <summary>ACL DELUSER; closes every connection of a deleted user (the caller's too, after its reply).</summary>
    public long DeleteUsers(IReadOnlyList<string> names, out string? error)
    {
        lock (_writeLock)
        {
            return RemoveUsers(names, out error);
        }
    }

    /// <summary>ACL DELUSER from a client: persisted first when the source writes through (O9); returns the count or the error after <c>ERR </c>.</summary>
    public async Task<(long Deleted, string? Error)> DeleteUsersAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        if (Source is not IWriteThroughAclSource source)
        {
            long n = DeleteUsers(names, out var error);
            return (n, error);
        }

        await _loadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var deletion = await source.DeleteUsersAsync(names, cancellationToken).ConfigureAwait(false);
            if (deletion.Error is not null)
            {
                return (0, deletion.Error);
            }

            lock (_writeLock)
            {
                // Users the store no longer had but this pod still enforces (another replica deleted them) go too.
                var present = names.Where(n => _current.Users.Find(n) is not null).ToHashSet(StringComparer.Ordinal);
                _ = RemoveUsers([.. present], out _);
                present.UnionWith(deletion.Deleted);
                return (present.Count, null);
            }
        }
        finally
        {
            _loadGate.Release();
        }
    }

    private int RemoveUsers(IReadOnlyList<string> names, out string? error)
    {
        var table = _current.Users.Clone();
        var removed = new List<AclUser>();
        int count = table.DeleteUsers(names, out error, removed);
        if (error is not null || count == 0)
        {
            return count;
        }

        Publish(table);
        var gone = removed.Select(u => u.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var c in _clients.Snapshot())
        {
            if (gone.Contains(c.UserName))
            {
                Close(c);
            }
        }

        return count;
    }

    /// <summary>
    /// ACL LOAD: all-or-nothing from the source; returns null or the error after <c>ERR </c>. Unlike Redis 7.4.1
    /// (spec §10.7) the default user's subscribers are checked against the default user's old definition too.
    /// </summary>
    public async Task<string?> LoadAsync(CancellationToken cancellationToken)
    {
        if (Source is null)
        {
            return NoAclFileError;
        }

        await _loadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var loaded = await Source.LoadAsync(Options, cancellationToken).ConfigureAwait(false);
            if (loaded.Unchanged)
            {
                return null;
            }

            if (loaded.Table is null)
            {
                ReportLoadFailed();
                return loaded.Error;
            }

            lock (_writeLock)
            {
                ApplyLoaded(loaded.Table, loaded.Revision, loaded.RevokeSessionsOf);
            }

            loaded.Applied?.Invoke();
            return null;
        }
        finally
        {
            _loadGate.Release();
        }
    }

    /// <summary>A watched source counts a new revision it could not load (the old ACL stays); ACL LOAD counts its own.</summary>
    public void ReportLoadFailed() => Interlocked.Increment(ref _reloadsFailed);

    /// <summary>
    /// Swaps in a complete table with ACL LOAD's connection rules (also used by watched sources);
    /// <paramref name="revision"/> as in <see cref="AclSourceResult"/>; <paramref name="revokeSessionsOf"/> as
    /// <see cref="AclSourceResult.RevokeSessionsOf"/>.
    /// </summary>
    public void ApplyLoaded(AclUserTable table, string? revision = null, IReadOnlySet<string>? revokeSessionsOf = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        var old = _current.Users;
        PublishLoaded(table, revision);
        var upcomingByUser = new Dictionary<string, List<byte[]>?>(StringComparer.Ordinal);
        foreach (var c in _clients.Snapshot())
        {
            var newUser = table.Find(c.UserName);
            if (newUser is null)
            {
                Close(c);
                continue;
            }

            if (revokeSessionsOf is not null && revokeSessionsOf.Contains(c.UserName) && old.Find(c.UserName) is { } previous && Revoked(previous, newUser))
            {
                Close(c);
                continue;
            }

            if (!c.IsPubSub)
            {
                continue;
            }

            if (!upcomingByUser.TryGetValue(c.UserName, out var upcoming))
            {
                var original = old.Find(c.UserName);
                upcoming = original is null ? null : PubSubRevocation.UpcomingChannels(newUser, original);
                upcomingByUser[c.UserName] = upcoming;
            }

            if (upcoming is not null && PubSubRevocation.ShouldKill(c, upcoming))
            {
                Close(c);
            }
        }

        WarnAboutKeyspaceChannels(table);
    }

    /// <summary>O15: the user was disabled, or a password (or <c>nopass</c>) it could authenticate with was taken away.</summary>
    internal static bool Revoked(AclUser previous, AclUser next)
    {
        if (ReferenceEquals(previous, next))
        {
            return false;
        }

        if (previous.Enabled && !next.Enabled)
        {
            return true;
        }

        if (previous.NoPass && !next.NoPass)
        {
            return true;
        }

        foreach (var hash in previous.PasswordHashes)
        {
            if (!next.PasswordHashes.Contains(hash, StringComparer.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>ACL SAVE; returns null or the error after <c>ERR </c>.</summary>
    public async Task<string?> SaveAsync(CancellationToken cancellationToken)
    {
        if (Source is null)
        {
            return NoAclFileError;
        }

        return await Source.SaveAsync(_current.Users, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>requirepass</c> (config or CONFIG SET): on the default user only, <c>resetpass</c> then <c>&gt;pw</c>, or
    /// <c>nopass</c> when empty. No connection is closed.
    /// </summary>
    public void SetRequirePass(string? password)
    {
        var rules = new List<byte[]> { "resetpass"u8.ToArray() };
        rules.Add(string.IsNullOrEmpty(password) ? "nopass"u8.ToArray() : [(byte)'>', .. AclText.GetBytes(password)]);
        _ = SetUser(AclUserTable.DefaultUserName, rules);
    }

    /// <summary>A connection that is already closing or gone must not abort an ACL change half-way.</summary>
    private static void Close(IAclClient client)
    {
        try
        {
            client.DeauthenticateAndClose();
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
            // The connection finished closing on its own.
        }
    }

    private void WarnAboutKeyspaceChannels(AclUserTable table)
    {
        foreach (var u in table.Users)
        {
            if (KeyspaceChannelWarning.Applies(u))
            {
                Warning?.Invoke(KeyspaceChannelWarning.Message(u));
            }
        }
    }

    /// <summary>Publishes a complete table under the source's revision or the next <c>local-&lt;n&gt;</c>.</summary>
    private void PublishLoaded(AclUserTable table, string? revision)
    {
        if (_current.Revision is not null)
        {
            Interlocked.Increment(ref _reloadsSucceeded);
        }

        long n = Interlocked.Increment(ref _loads);
        Publish(table, revision ?? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"local-{n}"));
    }

    /// <summary>Publishes a change; runtime changes (SETUSER, DELUSER) keep the loaded revision.</summary>
    private void Publish(AclUserTable table, string? revision = null)
    {
        var next = new AclSnapshot(table, _current.Epoch + 1, revision ?? _current.Revision);
        _current = next;
        UserDenials.Retain(name => table.Find(name) is not null);
        foreach (var c in _clients.Snapshot())
        {
            try
            {
                c.AclPublished(next);
            }
            catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
            {
                // The connection is closing.
            }
        }

        Published?.Invoke(next);
    }

    /// <summary>UTF-8 convenience for tests and tools.</summary>
    internal string? SetUser(string name, params string[] rules) =>
        SetUser(name, rules.Select(r => Encoding.UTF8.GetBytes(r)).ToList());
}
