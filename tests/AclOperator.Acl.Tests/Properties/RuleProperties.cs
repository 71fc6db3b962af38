using System.Text;
using AclOperator.Acl.AclFile;
using AclOperator.Acl.Rendering;
using AclOperator.Acl.Rules;
using AclOperator.Acl.Users;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace AclOperator.Acl.Tests.Properties;

/// <summary>
/// Property tests over generated rule lists: rendering is a fixed point of parsing, random token streams only ever
/// produce the engine's own rule errors (never an exception), and the aclfile writer round-trips.
/// </summary>
public sealed class RuleProperties
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(400)
        .WithReplay(new Replay(new Rnd(20261123UL, 0x9E3779B97F4A7C15UL), null)); // fixed seed: reproducible in CI

    private static readonly string[] Commands = ["get", "set", "del", "config", "config|get", "client|kill", "select", "mget", "publish", "xadd", "Hset", "ACL|WHOAMI", "nosuch", "get|x|y"];
    private static readonly string[] Categories = ["all", "read", "write", "dangerous", "admin", "hash", "slow", "fast", "pubsub", "nosuch"];
    private static readonly string[] Patterns = ["*", "a*", "a", "b?c", "[ab]*", "x\\*", "", "ap:*", "*z"];

    /// <summary>One valid-looking or deliberately odd rule token.</summary>
    private static Gen<string> RuleToken() => Gen.OneOf(
        Gen.Elements("on", "off", "nopass", "resetpass", "allkeys", "resetkeys", "allchannels", "resetchannels", "allcommands",
            "nocommands", "reset", "clearselectors", "sanitize-payload", "skip-sanitize-payload", "~*", "&*", "+@all", "-@all"),
        Gen.Elements(Patterns).Select(p => "~" + p),
        Gen.Elements(Patterns).SelectMany(p => Gen.Elements("%R~", "%W~", "%RW~", "%wr~"), (p, prefix) => prefix + p),
        Gen.Elements(Patterns).Select(p => "&" + p),
        Gen.Elements(Commands).SelectMany(c => Gen.Elements("+", "-"), (c, s) => s + c),
        Gen.Elements(Categories).SelectMany(c => Gen.Elements("+@", "-@"), (c, s) => s + c),
        Gen.Elements("+select|0", "+select|1", "+get|k1", "+config|nosuch", "+config|"),
        Gen.Elements(">p1", ">p2", "<p1", "#" + new string('a', 64), "!" + new string('a', 64), "#bad"),
        Gen.Elements("(~s* +get)", "(%R~r* &c* +@read)", "()", "(allkeys -@all +set)", "(on)", "(~a b)"));

    private static Gen<string[]> RuleList() => Gen.ArrayOf(RuleToken()).Select(a => a.Take(12).ToArray());

    private static byte[][] Bytes(IEnumerable<string> tokens) => tokens.Select(t => Encoding.Latin1.GetBytes(t)).ToArray();

    [Fact]
    public void Render_then_parse_is_a_fixed_point()
    {
        Prop.ForAll(Arb.From(RuleList()), rules =>
        {
            var r = AclUserRules.Apply("u", null, Bytes(rules), AclOptions.Default);
            if (!r.Succeeded)
            {
                return true;
            }

            var line = AclUserRenderer.AclListLine(r.User!);
            var reloaded = AclFileReader.Read(Encoding.Latin1.GetBytes(line), "p.acl", AclOptions.Default);
            Assert.True(reloaded.Succeeded, $"{line} → {reloaded.ErrorMessage}");
            var again = AclUserRenderer.AclListLine(reloaded.Table!.Find("u")!);
            Assert.Equal(line, again);

            // Same permissions, not only the same text.
            var a = r.User!.Selectors;
            var b = reloaded.Table.Find("u")!.Selectors;
            Assert.Equal(a.Count, b.Count);
            for (int s = 0; s < a.Count; s++)
            {
                for (int id = 0; id < AclOptions.Default.Commands.Count; id++)
                {
                    Assert.Equal(a[s].HasCommandBit(id), b[s].HasCommandBit(id));
                }
            }

            return true;
        }).Check(Quick);
    }

    [Fact]
    public void Random_token_streams_only_produce_rule_errors()
    {
        var known = Enum.GetValues<AclRuleError>().Where(e => e != AclRuleError.None).Select(AclRuleErrors.Message).ToHashSet();
        var bytesGen = Gen.ArrayOf(Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i)));
        var mixed = Gen.OneOf(
            bytesGen,
            RuleList().Select(Bytes),
            Gen.ArrayOf(Gen.Elements("(", ")", "(~a", "+get)", "~", "%", "&", "+", "-", "#", "!", "<", ">", "|", "+@", "(\"", "\\x41"))
                .Select(Bytes));
        Prop.ForAll(Arb.From(mixed), tokens =>
        {
            var r = AclUserRules.Apply("u", null, tokens, AclOptions.Default);
            if (r.Succeeded)
            {
                // A user built from garbage still renders and reloads.
                var line = AclUserRenderer.AclListLine(r.User!);
                Assert.True(AclFileReader.Read(Encoding.Latin1.GetBytes(line), "p.acl", AclOptions.Default).Succeeded, line);
                return true;
            }

            var e = r.Error!;
            bool ok = e.StartsWith("Unmatched parenthesis in acl selector starting at '", StringComparison.Ordinal) ||
                      (e.StartsWith("Error in ACL SETUSER modifier '", StringComparison.Ordinal) && known.Any(k => e.EndsWith("': " + k, StringComparison.Ordinal)));
            Assert.True(ok, e);
            return true;
        }).Check(Quick);
    }

    [Fact]
    public void Random_aclfiles_never_throw_and_saved_files_reload_identically()
    {
        var lineGen = Gen.OneOf(
            RuleList().Select(r => "user u" + r.Length + " " + string.Join(' ', r)),
            Gen.Elements("", "   ", "# comment", "user", "user a (", "user b on (+get", "USER x", "user   y on"));
        Prop.ForAll(Arb.From(Gen.ArrayOf(lineGen)), lines =>
        {
            var r = AclFileReader.Read(Encoding.Latin1.GetBytes(string.Join('\n', lines)), "p.acl", AclOptions.Default);
            if (!r.Succeeded)
            {
                Assert.EndsWith(AclFileLoadResult.NoChangeWarning, r.ErrorMessage);
                Assert.DoesNotContain('\n', r.ErrorMessage!);
                return true;
            }

            var saved = AclFileWriter.Render(r.Table!);
            var again = AclFileReader.Read(saved, "p.acl", AclOptions.Default);
            Assert.True(again.Succeeded, again.ErrorMessage);
            Assert.Equal(saved, AclFileWriter.Render(again.Table!));
            return true;
        }).Check(Quick);
    }
}
