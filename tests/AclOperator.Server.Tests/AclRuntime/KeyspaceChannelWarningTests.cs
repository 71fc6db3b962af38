using AclOperator.Acl;
using AclOperator.Server.AclRuntime;
using Xunit;

namespace AclOperator.Server.Tests.AclRuntime;

/// <summary>E11: users with restricted keys who may subscribe to keyspace-notification channels are warned about.</summary>
public sealed class KeyspaceChannelWarningTests
{
    private sealed class NoClients : IAclClientRegistry
    {
        public IReadOnlyList<IAclClient> Snapshot() => [];
    }

    private static List<string> Warnings(params string[] rules)
    {
        var acl = new AclManager(AclOptions.Default, null, new NoClients());
        var warnings = new List<string>();
        acl.Warning += warnings.Add;
        Assert.Null(acl.SetUser("tenant", rules.Select(r => System.Text.Encoding.UTF8.GetBytes(r)).ToList()));
        return warnings;
    }

    [Theory]
    [InlineData("~app:*", "&*")]
    [InlineData("~app:*", "&__keyspace@*")]
    [InlineData("~app:*", "&__key*")]
    [InlineData("~app:*", "&__keyevent@0__:set")]
    public void Restricted_keys_with_keyspace_channels_warn(string keys, string channels)
    {
        var w = Assert.Single(Warnings("on", keys, channels, "+@all"));
        Assert.Equal("User 'tenant' has restricted key patterns but may subscribe to keyspace-notification channels (__keyspace@*/__keyevent@*), which reveal key names it cannot access.", w);
    }

    [Theory]
    [InlineData("~*", "&*")]
    [InlineData("~app:*", "&news.*")]
    [InlineData("~app:*", "resetchannels")]
    public void Other_combinations_do_not_warn(string keys, string channels)
    {
        Assert.Empty(Warnings("on", keys, channels, "+@all"));
    }
}
