using System.Text;
using AclOperator.Acl;
using AclOperator.Acl.AclFile;
using AclOperator.Acl.Users;

namespace AclOperator.Api.Snapshots;

/// <summary>
/// Turns a verified snapshot (plus the runtime users of O9) into the user table ACL LOAD swaps in. Each shard is parsed
/// as an aclfile with Redis's own reader (so a bad entry fails the whole load with Redis's error text), and parsed
/// shards are reused while their checksums and the options stay the same.
/// </summary>
public sealed class SnapshotTableBuilder
{
    private readonly Lock _cacheLock = new();

    // Parsed shards of the last build, for the options they were parsed with. Keyed by value: callers pass a fresh
    // AclOptions record per load (AclManager.Options), so a reference-keyed cache would never hit.
    private AclOptions? _cacheOptions;
    private Dictionary<(string, string), IReadOnlyList<AclUser>> _cache = [];

    /// <summary>
    /// A table, or the error after <c>ERR </c> (the old ACL stays). A snapshot without a <c>default</c> user gets a
    /// disabled one (never Redis's open stock default, O7); runtime users never define <c>default</c> (it is managed).
    /// </summary>
    public (AclUserTable? Table, string? Error) Build(SnapshotContent snapshot, IReadOnlyList<RuntimeUser> runtimeUsers, AclOptions options)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(runtimeUsers);
        ArgumentNullException.ThrowIfNull(options);
        Dictionary<(string, string), IReadOnlyList<AclUser>> cached;
        lock (_cacheLock)
        {
            cached = Equals(_cacheOptions, options) ? _cache : [];
        }

        var table = new AclUserTable(options);
        table.Put(AclUser.Create(AclUserTable.DefaultUserName, options));
        var managed = new HashSet<string>(StringComparer.Ordinal) { AclUserTable.DefaultUserName };
        var next = new Dictionary<(string, string), IReadOnlyList<AclUser>>();
        foreach (var shard in snapshot.Shards)
        {
            var key = (shard.Rules.Checksum, shard.Hashes.Checksum);
            if (!cached.TryGetValue(key, out var users))
            {
                var parsed = Parse(shard.Entries.Select(e => (e.Name, e.Rules, e.Hashes)), $"shard {shard.Index}", options, out var error);
                if (parsed is null)
                {
                    return (null, error);
                }

                users = parsed;
            }

            next[key] = users;
            foreach (var u in users)
            {
                table.Put(u);
                managed.Add(u.Name);
            }
        }

        lock (_cacheLock)
        {
            _cacheOptions = options;
            _cache = next;
        }

        // A managed user beats a runtime user of the same name (O1).
        var runtime = runtimeUsers.Where(u => !managed.Contains(u.Name)).Select(u => (u.Name, u.Rules, (IReadOnlyList<string>)u.Hashes));
        var runtimeParsed = Parse(runtime, "runtime users", options, out var runtimeError);
        if (runtimeParsed is null)
        {
            return (null, runtimeError);
        }

        foreach (var u in runtimeParsed)
        {
            table.Put(u);
        }

        return (table, null);
    }

    /// <summary>Parses entries as aclfile lines (<c>user name rules #hash…</c>); null and Redis's error on failure.</summary>
    public static IReadOnlyList<AclUser>? Parse(IEnumerable<(string Name, string Rules, IReadOnlyList<string> Hashes)> entries, string origin, AclOptions options, out string? error)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var text = new StringBuilder();
        var names = new List<string>();
        foreach (var (name, rules, hashes) in entries)
        {
            text.Append("user ").Append(name).Append(' ').Append(rules);
            foreach (var h in hashes)
            {
                text.Append(" #").Append(h);
            }

            text.Append('\n');
            names.Add(name);
        }

        var result = AclFileReader.Read(Encoding.Latin1.GetBytes(text.ToString()), origin, options);
        if (result.Table is null)
        {
            error = result.ErrorMessage;
            return null;
        }

        error = null;
        return names.Select(n => result.Table.Find(n)!).ToList();
    }
}
