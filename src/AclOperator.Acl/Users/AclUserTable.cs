using AclOperator.Acl.Rendering;

namespace AclOperator.Acl.Users;

/// <summary>
/// The set of users of one server (Redis's <c>Users</c> rax). Lookups by exact name; enumeration in Redis's order
/// (byte-wise ascending). The <c>default</c> user always exists. Not thread-safe: callers publish copies
/// (<see cref="Clone"/>) and never mutate a table another thread reads.
/// </summary>
public sealed class AclUserTable
{
    /// <summary>The name of the user every connection starts as.</summary>
    public const string DefaultUserName = "default";

    public const string CannotDeleteDefaultError = "The 'default' user cannot be removed";

    private readonly Dictionary<string, AclUser> _users;

    public AclUserTable(AclOptions options)
        : this(options, new Dictionary<string, AclUser>(StringComparer.Ordinal))
    {
        _users[DefaultUserName] = AclUser.CreateDefault(options);
    }

    private AclUserTable(AclOptions options, Dictionary<string, AclUser> users)
    {
        Options = options;
        _users = users;
    }

    public AclOptions Options { get; }

    public int Count => _users.Count;

    public AclUser Default => _users[DefaultUserName];

    /// <summary>A shallow copy: users are immutable once published, so sharing them is safe.</summary>
    public AclUserTable Clone() => new(Options, new Dictionary<string, AclUser>(_users, StringComparer.Ordinal));

    public AclUser? Find(string name) => _users.GetValueOrDefault(name);

    /// <summary>Users in Redis's order: ascending byte-wise by name (ordinal on byte-strings).</summary>
    public IReadOnlyList<AclUser> Users
    {
        get
        {
            var list = new List<AclUser>(_users.Values);
            list.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            return list;
        }
    }

    /// <summary>ACL SETUSER: applies the rules all-or-nothing and stores the resulting user.</summary>
    public SetUserResult SetUser(string name, IReadOnlyList<byte[]> rules)
    {
        var result = AclUserRules.Apply(name, Find(name), rules, Options);
        if (result.User is not null)
        {
            _users[name] = result.User;
        }

        return result;
    }

    /// <summary>Stores <paramref name="user"/> under its name, replacing any previous definition.</summary>
    public void Put(AclUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        _users[user.Name] = user;
    }

    /// <summary>
    /// ACL DELUSER: if any name is <c>default</c> nothing is deleted and <paramref name="error"/> is set; otherwise the
    /// users that exist are removed and their count returned.
    /// </summary>
    public int DeleteUsers(IReadOnlyList<string> names, out string? error, List<AclUser>? removed = null)
    {
        ArgumentNullException.ThrowIfNull(names);
        foreach (var n in names)
        {
            if (n == DefaultUserName)
            {
                error = CannotDeleteDefaultError;
                return 0;
            }
        }

        error = null;
        int count = 0;
        foreach (var n in names)
        {
            if (_users.Remove(n, out var u))
            {
                count++;
                removed?.Add(u);
            }
        }

        return count;
    }

    /// <summary>ACL LIST.</summary>
    public IReadOnlyList<string> ListLines() => Users.Select(AclUserRenderer.AclListLine).ToList();
}
