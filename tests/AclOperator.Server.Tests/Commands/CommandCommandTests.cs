using System.Buffers;
using System.Globalization;
using System.Text;
using AclOperator.Acl.Commands;
using AclOperator.Acl.Evaluation;
using AclOperator.Acl.Tests.Infrastructure;
using AclOperator.Server.Commands;
using AclOperator.Server.Protocol;
using Xunit;

namespace AclOperator.Server.Tests.Commands;

public sealed class CommandCommandTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static readonly CommandTable Table = CommandTable.Redis74;

    // ---- helpers -------------------------------------------------------------------------------------------------

    /// <summary>Runs COMMAND ... through <see cref="CommandInfoWriter.Render"/> as the dispatcher would route it.</summary>
    internal static RespReply Run(int protocol, params string[] args)
    {
        var bytes = new List<byte>();
        var ranges = new ArgRange[args.Length];
        for (int i = 0; i < args.Length; i++)
        {
            byte[] a = Encoding.Latin1.GetBytes(args[i]);
            ranges[i] = new ArgRange(bytes.Count, a.Length);
            bytes.AddRange(a);
        }

        return RunRaw(protocol, [.. bytes], ranges);
    }

    private static RespReply RunRaw(int protocol, byte[] buffer, ArgRange[] ranges)
    {
        var argv = new CommandArgs(buffer, ranges);
        var cmd = Table.Find(argv[0]) ?? throw new InvalidOperationException("unknown command");
        if (cmd.IsContainer && argv.Count >= 2)
        {
            cmd = cmd.FindSubcommand(argv[1]) ?? throw new InvalidOperationException("unknown subcommand");
        }

        Assert.True(cmd.ArityAccepts(argv.Count), "arity");
        var output = new ArrayBufferWriter<byte>();
        var w = new RespWriter(output, protocol);
        string? error = CommandInfoWriter.Render(Table, cmd, argv, w);
        if (error is not null)
        {
            Assert.Equal(0, output.WrittenCount);
            return RespParser.Parse(Encoding.Latin1.GetBytes("-" + error + "\r\n"));
        }

        return RespParser.Parse(output.WrittenSpan);
    }

    private async Task<RespClient> ConnectAsync(int protocol)
    {
        Assert.SkipUnless(redis.IsAvailable, redis.SkipReason ?? string.Empty);
        var client = await redis.ConnectAsync(TestContext.Current.CancellationToken);
        if (protocol == 3)
        {
            (await client.CallAsync("HELLO", "3")).ThrowIfError();
        }

        return client;
    }

    private async Task<RespReply> LiveAsync(RespClient client, params string[] args) =>
        await client.CallAsync(args.Select(Encoding.Latin1.GetBytes).ToArray());

    /// <summary>RESP2 form of a RESP3 reply: maps flattened, sets and nulls as Redis writes them in RESP2.</summary>
    private static RespReply ToResp2(RespReply r) => r.Type switch
    {
        RespReplyType.Null => RespReply.Scalar(RespReplyType.NullBulkString, null),
        RespReplyType.Map or RespReplyType.Set or RespReplyType.Array => RespReply.Aggregate(RespReplyType.Array, [.. r.Items.Select(ToResp2)]),
        _ => r,
    };

    // ---- COMMAND INFO / COMMAND --------------------------------------------------------------------------------

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Info_MatchesLiveRedis(int protocol)
    {
        await using var client = await ConnectAsync(protocol);
        // None of these changed between 7.0 and 7.4 (flags, categories, tips, key specs with notes, legacy range).
        string[] args = ["COMMAND", "INFO", "get", "set", "eval", "sort", "xread", "config|get", "CONFIG|GET", "nosuch", "get|x", "config|", "", "config|get|x", "mget", "zunionstore", "georadius", "migrate", "xreadgroup", "blmpop", "lmove"];
        var live = await LiveAsync(client, args);
        var ours = Run(protocol, args);
        Assert.Equal(Norm.Render(live), Norm.Render(ours));
    }

    [Fact]
    public async Task Info_AllCommands_LegacyRangeAndMovableKeys_MatchLiveWhereKeySpecsAgree()
    {
        await using var client = await ConnectAsync(3);
        var liveNames = (await LiveAsync(client, "COMMAND", "LIST")).GetStrings().ToHashSet(StringComparer.Ordinal);
        int compared = 0;
        foreach (var c in Table.All.Where(c => liveNames.Contains(c.FullName)))
        {
            var live = (await LiveAsync(client, "COMMAND", "INFO", c.FullName)).Items[0];
            var ours = Run(3, "COMMAND", "INFO", c.FullName).Items[0];
            Assert.Equal(c.FullName, ours.Items[0].Text);
            if (Norm.Render(live.Items[8]) != Norm.Render(ours.Items[8]))
            {
                continue; // key specs changed since 7.0
            }

            compared++;
            Assert.Equal(Norm.Render(live.Items[8]), Norm.Render(ours.Items[8]));
            Assert.Equal((live.Items[3].Integer, live.Items[4].Integer, live.Items[5].Integer), (ours.Items[3].Integer, ours.Items[4].Integer, ours.Items[5].Integer));
            Assert.Equal(live.Items[2].GetStrings().Contains("movablekeys"), ours.Items[2].GetStrings().Contains("movablekeys"));
        }

        Assert.True(compared > 300, $"only {compared} commands compared");
    }

    [Fact]
    public void Info_WithoutNames_IsCommand_AndListsEveryTopLevelCommand()
    {
        foreach (int protocol in new[] { 2, 3 })
        {
            var all = Run(protocol, "COMMAND");
            Assert.Equal(Norm.Render(all), Norm.Render(Run(protocol, "COMMAND", "INFO")));
            Assert.Equal(Table.TopLevel.Select(c => c.FullName), all.Items.Select(i => i.Items[0].Text));
            var config = all.Items.Single(i => i.Items[0].Text == "config");
            Assert.Equal(Table.FindByFullName("config")!.Subcommands.Select(s => s.FullName), config.Items[9].Items.Select(i => i.Items[0].Text));
            Assert.Equal(RespReplyType.Array, config.Items[9].Type);
            Assert.Equal(protocol == 3 ? RespReplyType.Set : RespReplyType.Array, all.Items.Single(i => i.Items[0].Text == "get").Items[9].Type);
            Assert.Equal(Norm.Render(ToResp2(Run(3, "COMMAND"))), Norm.Render(Run(2, "COMMAND")));
        }
    }

    [Fact]
    public void Info_NewIn74_HashFieldExpiry()
    {
        // HEXPIRE is not in 7.0: checked against its 7.4 JSON (keyword FIELDS begin search, keynum find keys is for
        // the fields, the key itself is index 1).
        var info = Run(3, "COMMAND", "INFO", "hexpire").Items[0];
        Assert.Equal("hexpire", info.Items[0].Text);
        Assert.Equal(-6, info.Items[1].Integer);
        Assert.Equal(["write", "denyoom", "fast"], info.Items[2].GetStrings());
        Assert.Equal((1L, 1L, 1L), (info.Items[3].Integer, info.Items[4].Integer, info.Items[5].Integer));
        Assert.Equal(["@write", "@hash", "@fast"], info.Items[6].GetStrings());
    }

    // ---- COMMAND DOCS -------------------------------------------------------------------------------------------

    [Fact]
    public async Task Docs_MatchLiveRedis_Except74Changes()
    {
        await using var client = await ConnectAsync(3);
        // 7.2 rewrote every summary and added display_text to non-container arguments; the rest is unchanged for these.
        string[] args = ["COMMAND", "DOCS", "get", "nosuch", "mget", "getrange", "lpush", "get"];
        var live = await LiveAsync(client, args);
        var ours = Run(3, args);
        Assert.Equal(Norm.Render(Norm.DropKeys(live, "summary")), Norm.Render(Norm.DropKeys(ours, "summary,display_text")));
        Assert.Equal(10, ours.Items.Count); // 5 found (get twice), unknown names skipped
    }

    [Fact]
    public async Task Docs_Set_MatchesLiveRedis_Except74Changes()
    {
        await using var client = await ConnectAsync(3);
        var live = await LiveAsync(client, "COMMAND", "DOCS", "set");
        var ours = Run(3, "COMMAND", "DOCS", "set");
        Assert.Equal(Norm.Render(Norm.DropKeys(live, "summary")), Norm.Render(Norm.DropKeys(ours, "summary,display_text")));
        Assert.Equal("Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.", ours.Items[1].Items[1].Text);
    }

    [Fact]
    public void Docs_FieldsAsRedisCompilesThem()
    {
        var migrate = Run(3, "COMMAND", "DOCS", "migrate").Items[1];
        string text = Norm.Render(migrate);
        // The JSON token "\"\"" is pasted into a C literal and becomes the empty string.
        Assert.Contains("{\"name\": \"empty-string\", \"type\": \"pure-token\", \"display_text\": \"empty-string\", \"token\": \"\"}", text, StringComparison.Ordinal);
        Assert.Contains("\"group\": \"generic\"", text, StringComparison.Ordinal);
        // sorted_set is spelled sorted-set; deprecated commands carry doc_flags, deprecated_since and replaced_by.
        var zrangebyscore = Norm.Render(Run(3, "COMMAND", "DOCS", "zrangebyscore"));
        Assert.Contains("\"group\": \"sorted-set\"", zrangebyscore, StringComparison.Ordinal);
        Assert.Contains("\"doc_flags\": ~[+deprecated], \"deprecated_since\": \"6.2.0\", \"replaced_by\":", zrangebyscore, StringComparison.Ordinal);
        // Containers have subcommands (a map of full name to docs); subcommands take the container's group.
        var config = Run(3, "COMMAND", "DOCS", "config").Items[1];
        var sub = config.Items[^1];
        Assert.Equal("subcommands", config.Items[^2].Text);
        Assert.Equal(RespReplyType.Map, sub.Type);
        Assert.Contains("config|get", sub.Items.Where((_, i) => i % 2 == 0).Select(k => k.Text));
        Assert.Equal(Norm.Render(ToResp2(Run(3, "COMMAND", "DOCS"))), Norm.Render(Run(2, "COMMAND", "DOCS")));
        Assert.Equal(Table.TopLevel.Count * 2, Run(2, "COMMAND", "DOCS").Items.Count);
    }

    // ---- COUNT / LIST / HELP ------------------------------------------------------------------------------------

    [Fact]
    public async Task Count_IsTheTopLevelCount_TenMoreThan70()
    {
        await using var client = await ConnectAsync(2);
        var live = await LiveAsync(client, "COMMAND", "COUNT");
        var ours = Run(2, "COMMAND", "COUNT");
        Assert.Equal(Table.TopLevel.Count, ours.Integer);
        // 7.2/7.4 added WAITAOF and the nine hash-field-expiry commands (HEXPIRE ... HTTL).
        Assert.Equal(live.Integer + 10, ours.Integer);
    }

    [Theory]
    [InlineData("FILTERBY", "PATTERN", "x*")]
    [InlineData("FILTERBY", "pattern", "CONFIG|*")]
    [InlineData("filterby", "PATTERN", "*|[h]elp")]
    [InlineData("FILTERBY", "ACLCAT", "hyperloglog")]
    [InlineData("FILTERBY", "ACLCAT", "GEO")]
    [InlineData("FILTERBY", "ACLCAT", "nosuch")]
    [InlineData("FILTERBY", "MODULE", "foo")]
    [InlineData("FILTERBY", "PATTERN")]
    [InlineData("FILTERBY", "NOPE", "x")]
    [InlineData("FILTERBY", "PATTERN", "x*", "extra")]
    [InlineData("foo")]
    public async Task List_MatchesLiveRedis(params string[] options)
    {
        await using var client = await ConnectAsync(2);
        string[] args = ["COMMAND", "LIST", .. options];
        var live = await LiveAsync(client, args);
        var ours = Run(2, args);
        Assert.Equal(live.Type, ours.Type);
        if (live.IsError)
        {
            Assert.Equal(live.Text, ours.Text);
            return;
        }

        Assert.Equal(live.GetStrings().Order(StringComparer.Ordinal), ours.GetStrings().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void List_WithoutFilter_IsEveryCommandAndSubcommand()
    {
        Assert.Equal(Table.All.Select(c => c.FullName), Run(3, "COMMAND", "LIST").GetStrings());
    }

    [Fact]
    public async Task Help_MatchesLiveRedis()
    {
        await using var client = await ConnectAsync(3);
        var live = Norm.Render(await LiveAsync(client, "COMMAND", "HELP"));
        // addReplyHelp's footer was "Prints this help." in 7.0 and is "Print this help." in 7.4.
        Assert.Equal(live.Replace("+    Prints this help.", "+    Print this help.", StringComparison.Ordinal), Norm.Render(Run(3, "command", "help")));
    }

    // ---- GETKEYS / GETKEYSANDFLAGS ------------------------------------------------------------------------------

    public static TheoryData<string[]> GetKeysCases() => new()
    {
        new[] { "set", "k", "v" },
        new[] { "set", "k", "v", "GET" },
        new[] { "mset", "a", "1", "b", "2" },
        new[] { "mget", "a", "b", "c" },
        new[] { "eval", "return 1", "2", "a", "b", "x" },
        new[] { "eval", "return 1", "0" },
        new[] { "sort", "k", "BY", "w*", "STORE", "d" },
        new[] { "xread", "COUNT", "1", "STREAMS", "a", "b", "0", "0" },
        new[] { "zunionstore", "d", "2", "a", "b", "WEIGHTS", "1", "2" },
        new[] { "lmove", "a", "b", "LEFT", "RIGHT" },
        new[] { "object", "encoding", "k" },
        new[] { "memory", "usage", "k" },
        new[] { "georadius", "g", "0", "0", "1", "km", "STORE", "d" },
        new[] { "rename", "a", "b" },
        new[] { "nosuch", "a" },
        new[] { "get", "a", "b" },
        new[] { "ping", "x" },
        new[] { "config", "get", "x" },
        new[] { "config", "nosuch" },
        new[] { "zunionstore", "d", "x", "a" },
    };

    [Theory]
    [MemberData(nameof(GetKeysCases))]
    public async Task GetKeys_MatchesLiveRedis(string[] command)
    {
        foreach (int protocol in new[] { 2, 3 })
        {
            await using var client = await ConnectAsync(protocol);
            foreach (string sub in new[] { "GETKEYS", "GETKEYSANDFLAGS" })
            {
                string[] args = ["COMMAND", sub, .. command];
                var live = await LiveAsync(client, args);
                var ours = Run(protocol, args);
                Assert.Equal(Norm.Render(live), Norm.Render(ours));
            }
        }
    }

    [Theory]
    [InlineData("get", "ERR Invalid number of arguments specified for command")]
    [InlineData("ping", "ERR The command has no key arguments")]
    [InlineData("config", "ERR The command has no key arguments")]
    [InlineData("nosuch", "ERR Invalid command specified")]
    public void GetKeys_OneArgument(string command, string error)
    {
        // COMMAND GETKEYS has arity -3 since 7.2 (it was -4 in 7.0, so the live server rejects these by arity).
        Assert.Equal(error, Run(2, "COMMAND", "GETKEYS", command).Text);
        Assert.Equal(error, Run(3, "COMMAND", "GETKEYSANDFLAGS", command).Text);
    }

    [Fact]
    public void GetKeys_ReportsArgvThatEnforcementRefuses()
    {
        // E1: Redis's evalGetKeys reads numkeys with atoi and its GETKEYS answers "*0" here, but EVAL itself rejects
        // numkeys past argc; enforcement refuses the call, and GETKEYS (the same extractor, E9) says so.
        Assert.Equal("ERR Invalid arguments specified for command", Run(2, "COMMAND", "GETKEYS", "eval", "return 1", "5", "a").Text);
        Assert.Equal("ERR Invalid arguments specified for command", Run(3, "COMMAND", "GETKEYS", "eval", "return 1", "+1", "a").Text);
        Assert.Equal(["a"], Run(2, "COMMAND", "GETKEYS", "eval", "return 1", "1", "a").GetStrings());
    }

    [Fact]
    public void GetKeys_UsesTheAclKeyExtraction()
    {
        // E9: SORT's STORE key is the one sort.c writes (Redis's sortGetKeys takes the first STORE argument).
        var keys = Run(2, "COMMAND", "GETKEYS", "sort", "k", "STORE", "get", "STORE", "victim").GetStrings();
        Assert.Equal(["k", "victim"], keys);
        // Many keys (more than the stack buffer).
        string[] mget = ["COMMAND", "GETKEYS", "mget", .. Enumerable.Range(0, 100).Select(i => "k" + i)];
        Assert.Equal(100, Run(3, mget).Items.Count);
    }

}

/// <summary>A RESP parser over a byte buffer producing the shared <see cref="RespReply"/> model.</summary>
internal static class RespParser
{
    public static RespReply Parse(ReadOnlySpan<byte> data)
    {
        int pos = 0;
        var reply = Read(data, ref pos);
        Assert.Equal(data.Length, pos);
        return reply;
    }

    private static RespReply Read(ReadOnlySpan<byte> data, ref int pos)
    {
        int eol = data[pos..].IndexOf("\r\n"u8);
        Assert.True(eol >= 0, "truncated reply");
        byte prefix = data[pos];
        byte[] rest = data.Slice(pos + 1, eol - 1).ToArray();
        pos += eol + 2;
        switch (prefix)
        {
            case (byte)'+':
                return RespReply.Scalar(RespReplyType.SimpleString, rest);
            case (byte)'-':
                return RespReply.Scalar(RespReplyType.Error, rest);
            case (byte)':':
                return RespReply.Scalar(RespReplyType.Integer, null, long.Parse(Encoding.ASCII.GetString(rest), CultureInfo.InvariantCulture));
            case (byte)'_':
                return RespReply.Scalar(RespReplyType.Null, null);
            case (byte)'$':
            {
                int len = int.Parse(Encoding.ASCII.GetString(rest), CultureInfo.InvariantCulture);
                if (len < 0)
                {
                    return RespReply.Scalar(RespReplyType.NullBulkString, null);
                }

                byte[] payload = data.Slice(pos, len).ToArray();
                Assert.True(data.Slice(pos + len, 2).SequenceEqual("\r\n"u8), "bulk terminator");
                pos += len + 2;
                return RespReply.Scalar(RespReplyType.BulkString, payload);
            }

            case (byte)'*':
            case (byte)'~':
            case (byte)'%':
            {
                int count = int.Parse(Encoding.ASCII.GetString(rest), CultureInfo.InvariantCulture);
                if (count < 0)
                {
                    return RespReply.Scalar(RespReplyType.NullArray, null);
                }

                int elements = prefix == (byte)'%' ? count * 2 : count;
                var items = new List<RespReply>(elements);
                for (int i = 0; i < elements; i++)
                {
                    items.Add(Read(data, ref pos));
                }

                return RespReply.Aggregate(prefix switch { (byte)'*' => RespReplyType.Array, (byte)'~' => RespReplyType.Set, _ => RespReplyType.Map }, items);
            }

            default:
                throw new InvalidDataException($"unexpected RESP type {(char)prefix}");
        }
    }
}

/// <summary>Canonical text of a reply, and tree edits for the documented 7.0 → 7.4 differences.</summary>
internal static class Norm
{
    public static string Render(RespReply r)
    {
        var sb = new StringBuilder();
        Render(r, sb);
        return sb.ToString();
    }

    private static void Render(RespReply r, StringBuilder sb)
    {
        switch (r.Type)
        {
            case RespReplyType.SimpleString:
                sb.Append('+').Append(r.Text);
                break;
            case RespReplyType.Error:
                sb.Append('-').Append(r.Text);
                break;
            case RespReplyType.Integer:
                sb.Append(':').Append(r.Integer.ToString(CultureInfo.InvariantCulture));
                break;
            case RespReplyType.BulkString:
                sb.Append('"').Append(r.Text).Append('"');
                break;
            case RespReplyType.Null:
            case RespReplyType.NullBulkString:
            case RespReplyType.NullArray:
                sb.Append("nil(").Append(r.Type).Append(')');
                break;
            case RespReplyType.Map:
                sb.Append('{');
                for (int i = 0; i < r.Items.Count; i += 2)
                {
                    if (i > 0)
                    {
                        sb.Append(", ");
                    }

                    Render(r.Items[i], sb);
                    sb.Append(": ");
                    Render(r.Items[i + 1], sb);
                }

                sb.Append('}');
                break;
            default:
                sb.Append(r.Type == RespReplyType.Set ? "~[" : "[");
                for (int i = 0; i < r.Items.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(", ");
                    }

                    Render(r.Items[i], sb);
                }

                sb.Append(']');
                break;
        }
    }

    /// <summary>Removes every map entry whose key is one of <paramref name="keys"/> (at any depth, or only down to
    /// <paramref name="topOnlyDepth"/>).</summary>
    public static RespReply DropKeys(RespReply r, string keys, int topOnlyDepth = int.MaxValue) => DropKeys(r, keys.Split(','), 0, topOnlyDepth);

    private static RespReply DropKeys(RespReply r, string[] keys, int depth, int maxDepth)
    {
        if (!r.IsAggregate || depth > maxDepth)
        {
            return r;
        }

        var items = new List<RespReply>();
        if (r.Type == RespReplyType.Map)
        {
            for (int i = 0; i < r.Items.Count; i += 2)
            {
                if (r.Items[i].Text is { } k && keys.Contains(k))
                {
                    continue;
                }

                items.Add(r.Items[i]);
                items.Add(DropKeys(r.Items[i + 1], keys, depth + 1, maxDepth));
            }
        }
        else
        {
            items.AddRange(r.Items.Select(x => DropKeys(x, keys, depth + 1, maxDepth)));
        }

        return RespReply.Aggregate(r.Type, items);
    }
}
