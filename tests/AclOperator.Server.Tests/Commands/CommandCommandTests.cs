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

    // ---- exploratory -------------------------------------------------------------------------------------------

    [Fact]
    public async Task Explore_AllCommonCommands()
    {
        await using var client = await ConnectAsync(3);
        var sb = new StringBuilder();
        var live = await client.CallAsync("COMMAND", "LIST");
        var liveNames = live.GetStrings().ToHashSet();
        foreach (var c in Table.All)
        {
            if (!liveNames.Contains(c.FullName))
            {
                sb.AppendLine("NEW " + c.FullName);
                continue;
            }

            var l = await client.CallAsync("COMMAND", "INFO", c.FullName);
            var o = Run(3, "COMMAND", "INFO", c.FullName);
            string ls = Norm.Render(StripSubs(l.Items[0])), os = Norm.Render(StripSubs(o.Items[0]));
            if (ls != os)
            {
                sb.AppendLine("INFO " + c.FullName).AppendLine("  live " + ls).AppendLine("  ours " + os);
            }

            var ld = await client.CallAsync("COMMAND", "DOCS", c.FullName);
            var od = Run(3, "COMMAND", "DOCS", c.FullName);
            string lds = Norm.Render(Norm.DropKeys(StripDocSubs(ld), "display_text")), ods = Norm.Render(Norm.DropKeys(StripDocSubs(od), "display_text"));
            if (lds != ods)
            {
                sb.AppendLine("DOCS " + c.FullName).AppendLine("  live " + lds).AppendLine("  ours " + ods);
            }
        }

        File.WriteAllText("/work/scratch/cmdcmd/explore.txt", sb.ToString());
    }

    private static RespReply StripSubs(RespReply info) => info.IsNull ? info : RespReply.Aggregate(info.Type, [.. info.Items.Take(9)]);

    private static RespReply StripDocSubs(RespReply docs) => Norm.DropKeys(docs, "subcommands", topOnlyDepth: 2);
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
