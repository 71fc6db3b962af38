using System.Text;
using AclOperator.Acl;
using AclOperator.Acl.Passwords;
using AclOperator.Acl.Users;
using AclOperator.Api.Snapshots;

namespace AclOperator.Operator.Tests.Snapshots;

/// <summary>Users built with the real engine (AclUserRules), covering what the snapshot must carry byte for byte.</summary>
internal static class SnapshotSamples
{
    /// <summary>"jürgen" as Redis sees it: the UTF-8 bytes, one char per byte.</summary>
    public static readonly string Juergen = AclText.FromUtf8("jürgen");

    /// <summary>A name that is not even UTF-8 (0xFF 0x80 'x').</summary>
    public static readonly string RawBytes = AclText.FromBytes([0xFF, 0x80, (byte)'x']);

    public static readonly string ExplicitHash = PasswordHasher.Hash("erin-explicit"u8);

    /// <summary>Applies <paramref name="rules"/> (UTF-8 text, one rule each) to a new user named <paramref name="name"/> (byte-string).</summary>
    public static AclUser User(string name, params string[] rules)
    {
        var result = AclUserRules.Apply(name, null, rules, AclOptions.Default);
        Assert.True(result.Succeeded, result.Error);
        return result.User!;
    }

    /// <summary>
    /// A table with a locked default user, a plain user, several hashes and selectors with spaces, off users (with and
    /// without a password), nopass, names with non-ASCII and non-UTF-8 bytes, subcommands and first args.
    /// </summary>
    public static AclUserTable Table()
    {
        var table = new AclUserTable(AclOptions.Default);
        table.Put(User("default", "on", ">default-secret", "resetchannels", "-@all", "+ping", "+auth", "+hello"));
        table.Put(User("alice", "on", ">alice-secret", "~app:*", "+@read"));
        table.Put(User("bob", "on", ">bob-1", ">bob-2", ">bob-3", "~bob:*", "resetchannels", "&bob:*", "-@all", "+get", "+set",
            "(~x:* +set)", "(%R~y:* %W~z:* +@read -keys)"));
        table.Put(User("carol", "off", "nopass", "~*", "&*", "+@all"));
        table.Put(User("dave", "off", ">dave-secret", "resetkeys", "-@all"));
        table.Put(User(Juergen, "on", ">jürgen-secret", "~ü:*", "resetchannels", "&kanal:*", "+@hash", "+client|id"));
        table.Put(User(RawBytes, "on", "nopass", "%R~*", "+ping", "skip-sanitize-payload"));
        table.Put(User("erin", "on", "#" + ExplicitHash, ">erin-2", "~e:*", "+select|0", "+config|get"));
        return table;
    }

    public static List<SnapshotUser> Users(AclUserTable table) => table.Users.Select(SnapshotUser.From).ToList();

    /// <summary>Every password hash of <paramref name="table"/>, as hex.</summary>
    public static List<string> Hashes(AclUserTable table) => table.Users.SelectMany(u => u.PasswordHashes).ToList();

    /// <summary>Bytes as a byte-string, for searching hex text in binary content.</summary>
    public static string Latin1(byte[] bytes) => Encoding.Latin1.GetString(bytes);
}
