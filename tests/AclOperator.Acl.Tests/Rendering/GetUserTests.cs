using AclOperator.Acl.Rendering;
using AclOperator.Acl.Users;
using Xunit;
using static AclOperator.Acl.Tests.Rules.SetUserTests;

namespace AclOperator.Acl.Tests.Rendering;

/// <summary>ACL GETUSER's structure (spec §5).</summary>
public sealed class GetUserTests
{
    [Fact]
    public void New_user_matches_the_raw_resp3_example()
    {
        // %6 flags ~2 off sanitize-payload passwords *0 commands "-@all" keys "" channels "" selectors *0
        var d = AclUserRenderer.GetUser(User());
        Assert.Equal(["off", "sanitize-payload"], d.Flags);
        Assert.Empty(d.Passwords);
        Assert.Equal("-@all", d.Commands);
        Assert.Equal("", d.Keys);
        Assert.Equal("", d.Channels);
        Assert.Empty(d.Selectors);
    }

    [Fact]
    public void Fields_and_selectors_use_redis_formats()
    {
        var u = User("on", "nopass", "skip-sanitize-payload", "~a*", "%R~b*", "%W~c*", "&x", "&y", "+get", "(~s* &* +set)", "(allkeys -@all)");
        var d = AclUserRenderer.GetUser(u);
        Assert.Equal(["on", "nopass", "skip-sanitize-payload"], d.Flags);
        Assert.Equal("-@all +get", d.Commands);
        Assert.Equal("~a* %R~b* %W~c*", d.Keys);
        Assert.Equal("&x &y", d.Channels);
        Assert.Equal(
            [new SelectorDescription("-@all +set", "~s*", "&*"), new SelectorDescription("-@all", "~*", "")],
            d.Selectors);
    }

    [Fact]
    public void Allkeys_and_allchannels_show_as_stars()
    {
        var d = AclUserRenderer.GetUser(new AclUserTable(AclOptions.Default).Default);
        Assert.Equal(["on", "nopass", "sanitize-payload"], d.Flags);
        Assert.Equal("+@all", d.Commands);
        Assert.Equal("~*", d.Keys);
        Assert.Equal("&*", d.Channels);
    }
}
