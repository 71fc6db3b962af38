using System.Buffers;
using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using AclOperator.Acl;
using AclOperator.Acl.Commands;
using AclOperator.Acl.Evaluation;
using AclOperator.Acl.Matching;
using AclOperator.Server.Protocol;

namespace AclOperator.Server.Commands;

/// <summary>
/// The replies of COMMAND and its subcommands as Redis 7.4.1 builds them (server.c: commandCommand,
/// commandCountCommand, commandListCommand, commandInfoCommand, commandDocsCommand, getKeysSubcommandImpl,
/// commandHelpCommand, addReplyCommandInfo, addReplyCommandDocs), written as pure functions of the command table and
/// argv so they can be tested without a connection.
/// </summary>
/// <remarks>
/// Commands are listed in the table's order (top-level commands by name, each container's subcommands by name);
/// Redis lists them in its dict's hash order, which no client can rely on.
/// </remarks>
internal static class CommandInfoWriter
{
    internal const string InvalidCommand = "ERR Invalid command specified";
    internal const string InvalidArgCount = "ERR Invalid number of arguments specified for command";
    internal const string InvalidArguments = "ERR Invalid arguments specified for command";
    internal const string NoKeyArguments = "ERR The command has no key arguments";
    internal const string SyntaxError = "ERR syntax error";

    /// <summary>commandHelpCommand's lines, with addReplyHelp's header and footer.</summary>
    internal static readonly string[] HelpLines =
    [
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
        "HELP",
        "    Print this help.",
    ];

    /// <summary>addReplyFlagsForCommand's table (may_replicate, sentinel, only_sentinel, protected and
    /// touches_arbitrary_keys are hidden on purpose).</summary>
    private static readonly (CommandFlags Flag, string Name)[] s_commandFlagNames =
    [
        (CommandFlags.Write, "write"),
        (CommandFlags.ReadOnly, "readonly"),
        (CommandFlags.DenyOom, "denyoom"),
        (CommandFlags.Module, "module"),
        (CommandFlags.Admin, "admin"),
        (CommandFlags.PubSub, "pubsub"),
        (CommandFlags.NoScript, "noscript"),
        (CommandFlags.Blocking, "blocking"),
        (CommandFlags.Loading, "loading"),
        (CommandFlags.Stale, "stale"),
        (CommandFlags.SkipMonitor, "skip_monitor"),
        (CommandFlags.SkipSlowlog, "skip_slowlog"),
        (CommandFlags.Asking, "asking"),
        (CommandFlags.Fast, "fast"),
        (CommandFlags.NoAuth, "no_auth"),
        (CommandFlags.NoMandatoryKeys, "no_mandatory_keys"),
        (CommandFlags.NoAsyncLoading, "no_async_loading"),
        (CommandFlags.NoMulti, "no_multi"),
        (CommandFlags.MovableKeys, "movablekeys"),
        (CommandFlags.AllowBusy, "allow_busy"),
    ];

    /// <summary>addReplyFlagsForKeyArgs's table.</summary>
    private static readonly (KeySpecFlags Flag, string Name)[] s_keySpecFlagNames =
    [
        (KeySpecFlags.RO, "RO"),
        (KeySpecFlags.RW, "RW"),
        (KeySpecFlags.OW, "OW"),
        (KeySpecFlags.RM, "RM"),
        (KeySpecFlags.Access, "access"),
        (KeySpecFlags.Update, "update"),
        (KeySpecFlags.Insert, "insert"),
        (KeySpecFlags.Delete, "delete"),
        (KeySpecFlags.NotKey, "not_key"),
        (KeySpecFlags.Incomplete, "incomplete"),
        (KeySpecFlags.VariableFlags, "variable_flags"),
    ];

    private static readonly string[] s_categoryStatus = BuildCategoryStatus();

    private static readonly ConditionalWeakTable<RedisCommand, DocModel> s_docs = [];

    private static readonly Lazy<FrozenDictionary<string, string?[]>> s_keySpecNotes =
        new(LoadKeySpecNotes, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Whole-table replies (COMMAND, COMMAND INFO, COMMAND DOCS without names) per protocol, rendered once.</summary>
    private static readonly ConditionalWeakTable<CommandTable, CachedReplies> s_cache = [];

    [Flags]
    private enum DocArgFlags
    {
        None = 0,
        Optional = 1,
        Multiple = 2,
        MultipleToken = 4,
    }

    [Flags]
    private enum DocFlagBits
    {
        None = 0,
        Deprecated = 1,
        Syscmd = 2,
    }

    /// <summary>
    /// Writes the reply of <paramref name="cmd"/> (<c>command</c> or one of its subcommands, arity already checked)
    /// for <paramref name="argv"/>. Returns null on success, or the error text (with its <c>ERR</c> prefix) in
    /// which case nothing was written.
    /// </summary>
    public static string? Render(CommandTable table, RedisCommand cmd, CommandArgs argv, RespWriter w)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(cmd);
        ArgumentNullException.ThrowIfNull(w);
        switch (cmd.FullName)
        {
            case "command":
                w.WriteRaw(Cached(table, w.Protocol).AllInfo);
                return null;
            case "command|count":
                w.WriteInteger(table.TopLevel.Count);
                return null;
            case "command|list":
                return WriteList(table, argv, w);
            case "command|info":
                if (argv.Count == 2)
                {
                    w.WriteRaw(Cached(table, w.Protocol).AllInfo);
                    return null;
                }

                w.WriteArrayHeader(argv.Count - 2);
                for (int i = 2; i < argv.Count; i++)
                {
                    WriteCommandInfo(w, LookupBySds(table, argv[i]));
                }

                return null;
            case "command|docs":
                if (argv.Count == 2)
                {
                    w.WriteRaw(Cached(table, w.Protocol).AllDocs);
                    return null;
                }

                WriteDocsFor(table, argv, w);
                return null;
            case "command|getkeys":
                return WriteGetKeys(table, argv, w, withFlags: false);
            case "command|getkeysandflags":
                return WriteGetKeys(table, argv, w, withFlags: true);
            case "command|help":
                w.WriteArrayHeader(HelpLines.Length);
                foreach (string line in HelpLines)
                {
                    w.WriteSimpleString(line);
                }

                return null;
            default:
                // Unreachable: the dispatcher only routes COMMAND and its known subcommands here.
                return "ERR unknown subcommand '" + cmd.Name + "'. Try COMMAND HELP.";
        }
    }

    /// <summary>addReplyCommandInfo: a null reply for an unknown command, otherwise its 10-element array.</summary>
    public static void WriteCommandInfo(RespWriter w, RedisCommand? cmd)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (cmd is null)
        {
            w.WriteNull();
            return;
        }

        var (first, last, step) = LegacyRange(cmd);
        w.WriteArrayHeader(10);
        w.WriteBulkString(cmd.FullName);
        w.WriteInteger(cmd.Arity);
        WriteCommandFlags(w, cmd.Flags);
        w.WriteInteger(first);
        w.WriteInteger(last);
        w.WriteInteger(step);
        WriteCategories(w, cmd.Categories);

        var docs = Docs(cmd);
        w.WriteSetHeader(docs.Tips.Length);
        foreach (string tip in docs.Tips)
        {
            w.WriteBulkString(tip);
        }

        WriteKeySpecs(w, cmd);

        if (!cmd.IsContainer)
        {
            w.WriteSetHeader(0);
            return;
        }

        w.WriteArrayHeader(cmd.Subcommands.Count);
        foreach (var sub in cmd.Subcommands)
        {
            WriteCommandInfo(w, sub);
        }
    }

    /// <summary>addReplyCommandDocs: the documentation map of one command (the caller writes its name first).</summary>
    public static void WriteCommandDocs(RespWriter w, RedisCommand cmd)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(cmd);
        var d = Docs(cmd);
        int mapLen = 1;
        mapLen += d.Summary is null ? 0 : 1;
        mapLen += d.Since is null ? 0 : 1;
        mapLen += d.Complexity is null ? 0 : 1;
        mapLen += d.DocFlags == DocFlagBits.None ? 0 : 1;
        mapLen += d.DeprecatedSince is null ? 0 : 1;
        mapLen += d.ReplacedBy is null ? 0 : 1;
        mapLen += d.History.Length == 0 ? 0 : 1;
        mapLen += d.Arguments.Length == 0 ? 0 : 1;
        mapLen += cmd.IsContainer ? 1 : 0;
        w.WriteMapHeader(mapLen);

        WriteField(w, "summary", d.Summary);
        WriteField(w, "since", d.Since);
        w.WriteBulkString("group");
        w.WriteBulkString(d.Group);
        WriteField(w, "complexity", d.Complexity);
        if (d.DocFlags != DocFlagBits.None)
        {
            w.WriteBulkString("doc_flags");
            w.WriteSetHeader(((d.DocFlags & DocFlagBits.Deprecated) != 0 ? 1 : 0) + ((d.DocFlags & DocFlagBits.Syscmd) != 0 ? 1 : 0));
            if ((d.DocFlags & DocFlagBits.Deprecated) != 0)
            {
                w.WriteSimpleString("deprecated");
            }

            if ((d.DocFlags & DocFlagBits.Syscmd) != 0)
            {
                w.WriteSimpleString("syscmd");
            }
        }

        WriteField(w, "deprecated_since", d.DeprecatedSince);
        WriteField(w, "replaced_by", d.ReplacedBy);
        if (d.History.Length != 0)
        {
            w.WriteBulkString("history");
            w.WriteSetHeader(d.History.Length);
            foreach (var (since, changes) in d.History)
            {
                w.WriteArrayHeader(2);
                w.WriteBulkString(since);
                w.WriteBulkString(changes);
            }
        }

        if (d.Arguments.Length != 0)
        {
            w.WriteBulkString("arguments");
            WriteArgList(w, d.Arguments);
        }

        if (cmd.IsContainer)
        {
            w.WriteBulkString("subcommands");
            w.WriteMapHeader(cmd.Subcommands.Count);
            foreach (var sub in cmd.Subcommands)
            {
                w.WriteBulkString(sub.FullName);
                WriteCommandDocs(w, sub);
            }
        }
    }

    /// <summary>
    /// The first key, last key and step COMMAND INFO reports: populateCommandLegacyRangeSpec's legacy range spec as
    /// addReplyCommandInfo turns it into absolute positions (0, 0, 0 when there is none).
    /// </summary>
    internal static (int FirstKey, int LastKey, int Step) LegacyRange(RedisCommand cmd)
    {
        var specs = cmd.KeySpecs;
        if (specs.Length == 0)
        {
            return (0, 0, 0);
        }

        int firstKey, relLast, step;
        if (specs.Length == 1 && IsIndexRange(specs[0]))
        {
            // Quick win, exactly one range spec: it is the legacy spec as it is (step and all).
            firstKey = specs[0].Index;
            relLast = specs[0].LastKey;
            step = specs[0].KeyStep;
        }
        else
        {
            firstKey = int.MaxValue;
            int lastKey = 0;
            int prevLastKey = 0;
            foreach (var spec in specs)
            {
                if (!IsIndexRange(spec) || spec.KeyStep != 1 || (prevLastKey != 0 && prevLastKey != spec.Index - 1))
                {
                    continue;
                }

                firstKey = Math.Min(firstKey, spec.Index);
                int lastAbs = spec.LastKey;
                if (lastAbs >= 0)
                {
                    lastAbs += spec.Index;
                }

                // Unsigned comparison, so that a negative (from-the-end) last key wins.
                lastKey = (int)Math.Max((uint)lastKey, (uint)lastAbs);
                prevLastKey = lastKey;
            }

            if (firstKey == int.MaxValue)
            {
                return (0, 0, 0);
            }

            relLast = lastKey < 0 ? lastKey : lastKey - firstKey;
            step = 1;
        }

        return (firstKey, relLast >= 0 ? relLast + firstKey : relLast, step);
    }

    /// <summary>lookupCommandBySds: <c>name</c> or <c>container|sub</c>, strict (no deeper levels).</summary>
    internal static RedisCommand? LookupBySds(CommandTable table, ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || name.Length > 2 * 64 + 1)
        {
            return null;
        }

        return table.FindByFullName(AclText.FromBytes(name));
    }

    private static string? WriteList(CommandTable table, CommandArgs argv, RespWriter w)
    {
        // commandListCommand: only "FILTERBY <type> <arg>" as the last three arguments.
        int filterType = 0; // 0 none, 1 module, 2 aclcat, 3 pattern
        ReadOnlySpan<byte> filterArg = default;
        for (int i = 2; i < argv.Count; i++)
        {
            int moreArgs = argv.Count - 1 - i;
            if (!CStringEquals(argv[i], "filterby"u8) || moreArgs != 2)
            {
                return SyntaxError;
            }

            var type = argv[i + 1];
            if (CStringEquals(type, "module"u8))
            {
                filterType = 1;
            }
            else if (CStringEquals(type, "aclcat"u8))
            {
                filterType = 2;
            }
            else if (CStringEquals(type, "pattern"u8))
            {
                filterType = 3;
            }
            else
            {
                return SyntaxError;
            }

            filterArg = argv[i + 2];
            i += 2;
        }

        var category = AclCategories.None;
        if (filterType == 2)
        {
            // ACLGetCommandCategoryFlagByName: strcasecmp on the C string; an unknown category filters everything.
            string catName = AclText.FromBytes(AclText.CStringOf(filterArg));
            if (AclCategoryNames.TryParse(catName, out var c) && Ascii.IsValid(catName))
            {
                category = c;
            }
        }

        int count = 0;
        if (filterType != 1 && !(filterType == 2 && category == AclCategories.None))
        {
            // No modules are ever loaded: FILTERBY MODULE matches nothing, like an unknown category.
            foreach (var c in table.All)
            {
                if (Included(c, filterType, category, filterArg))
                {
                    count++;
                }
            }
        }

        w.WriteArrayHeader(count);
        if (count == 0)
        {
            return null;
        }

        foreach (var c in table.All)
        {
            if (Included(c, filterType, category, filterArg))
            {
                w.WriteBulkString(c.FullName);
            }
        }

        return null;
    }

    private static bool Included(RedisCommand cmd, int filterType, AclCategories category, ReadOnlySpan<byte> pattern)
    {
        switch (filterType)
        {
            case 0:
                return true;
            case 2:
                return (cmd.Categories & category) != 0;
            case 3:
                Span<byte> name = stackalloc byte[cmd.FullName.Length];
                Encoding.Latin1.GetBytes(cmd.FullName, name);
                return GlobMatcher.Match(pattern, name, nocase: true);
            default:
                return false;
        }
    }

    private static void WriteDocsFor(CommandTable table, CommandArgs argv, RespWriter w)
    {
        int found = 0;
        for (int i = 2; i < argv.Count; i++)
        {
            if (LookupBySds(table, argv[i]) is not null)
            {
                found++;
            }
        }

        w.WriteMapHeader(found);
        for (int i = 2; i < argv.Count; i++)
        {
            if (LookupBySds(table, argv[i]) is { } c)
            {
                w.WriteBulkString(c.FullName);
                WriteCommandDocs(w, c);
            }
        }
    }

    private static string? WriteGetKeys(CommandTable table, CommandArgs argv, RespWriter w, bool withFlags)
    {
        // getKeysSubcommandImpl: lookupCommand(argv+2, argc-2), not strict.
        var inner = argv.Skip(2);
        var target = table.Find(inner[0]);
        if (target is not null && target.IsContainer && inner.Count > 1)
        {
            target = target.FindSubcommand(inner[1]);
        }

        if (target is null)
        {
            return InvalidCommand;
        }

        if (!KeyExtractor.CanHaveKeys(target))
        {
            return NoKeyArguments;
        }

        if (!target.ArityAccepts(inner.Count))
        {
            return InvalidArgCount;
        }

        // The same extraction as the ACL check (E9).
        Span<KeyReference> small = stackalloc KeyReference[16];
        KeyReference[]? rented = null;
        try
        {
            var keys = small;
            int n = KeyExtractor.GetKeys(target, inner, keys, out _);
            if (n > keys.Length)
            {
                rented = ArrayPool<KeyReference>.Shared.Rent(n);
                keys = rented;
                n = KeyExtractor.GetKeys(target, inner, keys, out _);
            }

            if (n < 0)
            {
                // Enforcement refuses this argv (E1: keys that cannot be resolved fail closed); say so rather than
                // reporting "no keys", which Redis's lenient callbacks would.
                return InvalidArguments;
            }

            if (n == 0)
            {
                // No keys in this call: an error unless the command's keys are optional.
                if ((target.Flags & CommandFlags.NoMandatoryKeys) == 0)
                {
                    return InvalidArguments;
                }

                w.WriteArrayHeader(0);
                return null;
            }

            w.WriteArrayHeader(n);
            foreach (var key in keys[..n])
            {
                if (withFlags)
                {
                    w.WriteArrayHeader(2);
                    w.WriteBulkString(inner[key.Index]);
                    WriteKeySpecFlags(w, key.Flags);
                }
                else
                {
                    w.WriteBulkString(inner[key.Index]);
                }
            }

            return null;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<KeyReference>.Shared.Return(rented);
            }
        }
    }

    private static void WriteCommandFlags(RespWriter w, CommandFlags flags) => WriteFlagSet(w, (ulong)flags, s_commandFlagBits);

    private static void WriteKeySpecFlags(RespWriter w, KeySpecFlags flags) => WriteFlagSet(w, (ulong)flags, s_keySpecFlagBits);

    private static readonly (ulong Bit, string Name)[] s_commandFlagBits = [.. s_commandFlagNames.Select(f => ((ulong)f.Item1, f.Item2))];

    private static readonly (ulong Bit, string Name)[] s_keySpecFlagBits = [.. s_keySpecFlagNames.Select(f => ((ulong)f.Item1, f.Item2))];

    /// <summary>A set of status strings, one per flag set in <paramref name="flags"/>, in the table's order.</summary>
    private static void WriteFlagSet(RespWriter w, ulong flags, (ulong Bit, string Name)[] names)
    {
        int count = 0;
        foreach (var (bit, _) in names)
        {
            count += (flags & bit) != 0 ? 1 : 0;
        }

        w.WriteSetHeader(count);
        foreach (var (bit, name) in names)
        {
            if ((flags & bit) != 0)
            {
                w.WriteSimpleString(name);
            }
        }
    }

    private static void WriteCategories(RespWriter w, AclCategories categories)
    {
        // addReplyCommandCategories: "@name" status strings in ACLCommandCategories order (the bit order).
        w.WriteSetHeader(System.Numerics.BitOperations.PopCount((uint)categories));
        for (int i = 0; i < s_categoryStatus.Length; i++)
        {
            if (((uint)categories & (1u << i)) != 0)
            {
                w.WriteSimpleString(s_categoryStatus[i]);
            }
        }
    }

    private static void WriteKeySpecs(RespWriter w, RedisCommand cmd)
    {
        var specs = cmd.KeySpecs;
        string?[]? notes = s_keySpecNotes.Value.TryGetValue(cmd.FullName, out var n) && n.Length == specs.Length ? n : null;
        w.WriteSetHeader(specs.Length);
        for (int i = 0; i < specs.Length; i++)
        {
            var spec = specs[i];
            string? note = notes?[i];
            w.WriteMapHeader(note is null ? 3 : 4);
            if (note is not null)
            {
                w.WriteBulkString("notes");
                w.WriteBulkString(note);
            }

            w.WriteBulkString("flags");
            WriteKeySpecFlags(w, spec.Flags);

            w.WriteBulkString("begin_search");
            w.WriteMapHeader(2);
            w.WriteBulkString("type");
            switch (spec.BeginSearch)
            {
                case BeginSearchKind.Index:
                    w.WriteBulkString("index");
                    w.WriteBulkString("spec");
                    w.WriteMapHeader(1);
                    w.WriteBulkString("index");
                    w.WriteInteger(spec.Index);
                    break;
                case BeginSearchKind.Keyword:
                    w.WriteBulkString("keyword");
                    w.WriteBulkString("spec");
                    w.WriteMapHeader(2);
                    w.WriteBulkString("keyword");
                    w.WriteBulkString(spec.Keyword ?? string.Empty);
                    w.WriteBulkString("startfrom");
                    w.WriteInteger(spec.StartFrom);
                    break;
                default:
                    w.WriteBulkString("unknown");
                    w.WriteBulkString("spec");
                    w.WriteMapHeader(0);
                    break;
            }

            w.WriteBulkString("find_keys");
            w.WriteMapHeader(2);
            w.WriteBulkString("type");
            switch (spec.FindKeys)
            {
                case FindKeysKind.Range:
                    w.WriteBulkString("range");
                    w.WriteBulkString("spec");
                    w.WriteMapHeader(3);
                    w.WriteBulkString("lastkey");
                    w.WriteInteger(spec.LastKey);
                    w.WriteBulkString("keystep");
                    w.WriteInteger(spec.KeyStep);
                    w.WriteBulkString("limit");
                    w.WriteInteger(spec.Limit);
                    break;
                case FindKeysKind.Keynum:
                    w.WriteBulkString("keynum");
                    w.WriteBulkString("spec");
                    w.WriteMapHeader(3);
                    w.WriteBulkString("keynumidx");
                    w.WriteInteger(spec.KeynumIndex);
                    w.WriteBulkString("firstkey");
                    w.WriteInteger(spec.FirstKey);
                    w.WriteBulkString("keystep");
                    w.WriteInteger(spec.KeyStep);
                    break;
                default:
                    w.WriteBulkString("unknown");
                    w.WriteBulkString("spec");
                    w.WriteMapHeader(0);
                    break;
            }
        }
    }

    private static void WriteArgList(RespWriter w, DocArg[] args)
    {
        // addReplyCommandArgList.
        w.WriteArrayHeader(args.Length);
        foreach (var a in args)
        {
            bool container = a.Type is "oneof" or "block";
            int mapLen = 3; // name, type, and display_text or arguments
            mapLen += a.KeySpecIndex != -1 ? 1 : 0;
            mapLen += a.Token is null ? 0 : 1;
            mapLen += a.Summary is null ? 0 : 1;
            mapLen += a.Since is null ? 0 : 1;
            mapLen += a.DeprecatedSince is null ? 0 : 1;
            mapLen += a.Flags == DocArgFlags.None ? 0 : 1;
            w.WriteMapHeader(mapLen);
            w.WriteBulkString("name");
            w.WriteBulkString(a.Name);
            w.WriteBulkString("type");
            w.WriteBulkString(a.Type);
            if (!container)
            {
                w.WriteBulkString("display_text");
                w.WriteBulkString(a.Display ?? a.Name);
            }

            if (a.KeySpecIndex != -1)
            {
                w.WriteBulkString("key_spec_index");
                w.WriteInteger(a.KeySpecIndex);
            }

            WriteField(w, "token", a.Token);
            WriteField(w, "summary", a.Summary);
            WriteField(w, "since", a.Since);
            WriteField(w, "deprecated_since", a.DeprecatedSince);
            if (a.Flags != DocArgFlags.None)
            {
                w.WriteBulkString("flags");
                w.WriteSetHeader(System.Numerics.BitOperations.PopCount((uint)a.Flags));
                if ((a.Flags & DocArgFlags.Optional) != 0)
                {
                    w.WriteSimpleString("optional");
                }

                if ((a.Flags & DocArgFlags.Multiple) != 0)
                {
                    w.WriteSimpleString("multiple");
                }

                if ((a.Flags & DocArgFlags.MultipleToken) != 0)
                {
                    w.WriteSimpleString("multiple_token");
                }
            }

            if (container)
            {
                w.WriteBulkString("arguments");
                WriteArgList(w, a.Subargs);
            }
        }
    }

    private static void WriteField(RespWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteBulkString(name);
            w.WriteBulkString(value);
        }
    }

    private static bool IsIndexRange(KeySpec spec) =>
        spec.BeginSearch == BeginSearchKind.Index && spec.FindKeys == FindKeysKind.Range;

    /// <summary>strcasecmp(arg, keyword): the argument up to its first NUL, ASCII case-insensitively.</summary>
    private static bool CStringEquals(ReadOnlySpan<byte> arg, ReadOnlySpan<byte> lowerKeyword) =>
        Ascii.EqualsIgnoreCase(AclText.CStringOf(arg), lowerKeyword);

    private static string[] BuildCategoryStatus()
    {
        var names = new string[AclCategoryNames.All.Count];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = "@" + AclCategoryNames.All[i];
        }

        return names;
    }

    private static (byte[] AllInfo, byte[] AllDocs) Cached(CommandTable table, int protocol)
    {
        var cache = s_cache.GetValue(table, static _ => new CachedReplies());
        int p = protocol - 2;
        var info = Volatile.Read(ref cache.AllInfo[p]);
        var docs = Volatile.Read(ref cache.AllDocs[p]);
        if (info is not null && docs is not null)
        {
            return (info, docs);
        }

        var buffer = new ArrayBufferWriter<byte>(256 * 1024);
        var w = new RespWriter(buffer, protocol);
        w.WriteArrayHeader(table.TopLevel.Count);
        foreach (var c in table.TopLevel)
        {
            WriteCommandInfo(w, c);
        }

        info = buffer.WrittenSpan.ToArray();
        buffer.ResetWrittenCount();
        w.WriteMapHeader(table.TopLevel.Count);
        foreach (var c in table.TopLevel)
        {
            w.WriteBulkString(c.FullName);
            WriteCommandDocs(w, c);
        }

        docs = buffer.WrittenSpan.ToArray();
        Volatile.Write(ref cache.AllInfo[p], info);
        Volatile.Write(ref cache.AllDocs[p], docs);
        return (info, docs);
    }

    private static DocModel Docs(RedisCommand cmd) => s_docs.GetValue(cmd, static c => DocModel.Build(c));

    /// <summary>
    /// Key-spec notes are not part of <see cref="KeySpec"/>: they are read once from the embedded command table
    /// (<c>key_specs[].notes</c>), by full name.
    /// </summary>
    private static FrozenDictionary<string, string?[]> LoadKeySpecNotes()
    {
        var result = new Dictionary<string, string?[]>(StringComparer.Ordinal);
        using var stream = typeof(CommandTable).Assembly.GetManifestResourceStream("AclOperator.Acl.redis-commands.json");
        if (stream is null)
        {
            return result.ToFrozenDictionary(StringComparer.Ordinal);
        }

        using var doc = JsonDocument.Parse(stream);
        foreach (var entry in doc.RootElement.GetProperty("commands").EnumerateArray())
        {
            if (!entry.TryGetProperty("key_specs", out var specs) || specs.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            var notes = new string?[specs.GetArrayLength()];
            bool any = false;
            int i = 0;
            foreach (var spec in specs.EnumerateArray())
            {
                notes[i] = OptionalText(spec, "notes");
                any |= notes[i] is not null;
                i++;
            }

            if (!any)
            {
                continue;
            }

            string name = entry.GetProperty("name").GetString() ?? string.Empty;
            string? container = entry.TryGetProperty("container", out var ct) && ct.ValueKind == JsonValueKind.String ? ct.GetString() : null;
            result[container is null ? name : container + "|" + name] = notes;
        }

        return result.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>An optional JSON string as Redis's generator compiles it (get_optional_desc_string): absent or
    /// empty is NULL, otherwise see <see cref="CText"/>.</summary>
    private static string? OptionalText(JsonElement obj, string property) =>
        obj.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? Text(v.GetString()) : null;

    private static string? Text(string? s) => string.IsNullOrEmpty(s) ? null : CText(s);

    /// <summary>
    /// What Redis replies for a JSON string: generate-command-code.py pastes it unescaped between double quotes
    /// into commands.def, so the C compiler's reading of that literal is what Redis has (MIGRATE's token <c>""</c>
    /// becomes <c>""""</c>, two empty literals, i.e. the empty string). The result is a byte-string of the UTF-8 bytes.
    /// </summary>
    internal static string CText(string json)
    {
        if (json.AsSpan().IndexOfAny('"', '\\') < 0)
        {
            return AclText.FromUtf8(json);
        }

        var sb = new StringBuilder(json.Length);
        bool inLiteral = true;
        for (int i = 0; i < json.Length; i++)
        {
            char c = json[i];
            if (!inLiteral)
            {
                // Between adjacent literals: only the opening quote of the next one matters.
                inLiteral = c == '"';
                continue;
            }

            if (c == '"')
            {
                inLiteral = false;
            }
            else if (c == '\\' && i + 1 < json.Length)
            {
                char e = json[++i];
                sb.Append(e switch
                {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    '0' => '\0',
                    _ => e,
                });
            }
            else
            {
                sb.Append(c);
            }
        }

        return AclText.FromUtf8(sb.ToString());
    }

    /// <summary>One argument of COMMAND DOCS as generate-command-code.py compiles it.</summary>
    private sealed record DocArg(
        string Name,
        string Type,
        string? Display,
        int KeySpecIndex,
        string? Token,
        string? Summary,
        string? Since,
        string? DeprecatedSince,
        DocArgFlags Flags,
        DocArg[] Subargs);

    /// <summary>The documentation of one command, as Redis's compiled command table holds it.</summary>
    private sealed class DocModel
    {
        public string? Summary { get; private init; }

        public string? Since { get; private init; }

        public string Group { get; private init; } = string.Empty;

        public string? Complexity { get; private init; }

        public DocFlagBits DocFlags { get; private init; }

        public string? DeprecatedSince { get; private init; }

        public string? ReplacedBy { get; private init; }

        public (string Since, string Changes)[] History { get; private init; } = [];

        public string[] Tips { get; private init; } = [];

        public DocArg[] Arguments { get; private init; } = [];

        public static DocModel Build(RedisCommand cmd)
        {
            var d = cmd.Docs;
            var docFlags = DocFlagBits.None;
            foreach (string f in d.DocFlags)
            {
                docFlags |= f switch
                {
                    "deprecated" => DocFlagBits.Deprecated,
                    "syscmd" => DocFlagBits.Syscmd,
                    _ => DocFlagBits.None,
                };
            }

            // Subcommands take their container's group; the generator spells sorted_set "sorted-set".
            string group = (cmd.Parent ?? cmd).Docs.Group;
            group = group == "sorted_set" ? "sorted-set" : group;

            var history = new List<(string, string)>();
            if (d.HistoryJson is not null)
            {
                using var doc = JsonDocument.Parse(d.HistoryJson);
                foreach (var pair in doc.RootElement.EnumerateArray())
                {
                    history.Add((CText(pair[0].GetString() ?? string.Empty), CText(pair[1].GetString() ?? string.Empty)));
                }
            }

            var args = Array.Empty<DocArg>();
            if (d.ArgumentsJson is not null)
            {
                using var doc = JsonDocument.Parse(d.ArgumentsJson);
                args = ParseArgs(doc.RootElement);
            }

            var tips = new string[d.Tips.Count];
            for (int i = 0; i < tips.Length; i++)
            {
                tips[i] = CText(d.Tips[i]);
            }

            return new DocModel
            {
                Summary = Text(d.Summary),
                Since = Text(d.Since),
                Group = group,
                Complexity = Text(d.Complexity),
                DocFlags = docFlags,
                DeprecatedSince = Text(d.DeprecatedSince),
                ReplacedBy = Text(d.ReplacedBy),
                History = [.. history],
                Tips = tips,
                Arguments = args,
            };
        }

        private static DocArg[] ParseArgs(JsonElement array)
        {
            if (array.ValueKind != JsonValueKind.Array)
            {
                return [];
            }

            var list = new List<DocArg>();
            foreach (var a in array.EnumerateArray())
            {
                string type = a.GetProperty("type").GetString() ?? "string";
                bool container = type is "oneof" or "block";
                var flags = DocArgFlags.None;
                flags |= IsTrue(a, "optional") ? DocArgFlags.Optional : DocArgFlags.None;
                flags |= IsTrue(a, "multiple") ? DocArgFlags.Multiple : DocArgFlags.None;
                flags |= IsTrue(a, "multiple_token") ? DocArgFlags.MultipleToken : DocArgFlags.None;
                string? display = container ? null : OptionalText(a, "display");
                string? token = OptionalText(a, "token");
                list.Add(new DocArg(
                    Name: CText(AsciiLower(a.GetProperty("name").GetString() ?? string.Empty)),
                    Type: type,
                    Display: display is null ? null : AsciiLower(display),
                    KeySpecIndex: a.TryGetProperty("key_spec_index", out var ksi) && ksi.ValueKind == JsonValueKind.Number ? ksi.GetInt32() : -1,
                    Token: token is null ? null : AsciiUpper(token),
                    Summary: OptionalText(a, "summary"),
                    Since: OptionalText(a, "since"),
                    DeprecatedSince: OptionalText(a, "deprecated_since"),
                    Flags: flags,
                    Subargs: container && a.TryGetProperty("arguments", out var sub) ? ParseArgs(sub) : []));
            }

            return [.. list];
        }

        private static bool IsTrue(JsonElement obj, string property) =>
            obj.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.True;

        private static string AsciiLower(string s) => string.Create(s.Length, s, static (dst, src) =>
        {
            for (int i = 0; i < src.Length; i++)
            {
                dst[i] = src[i] is >= 'A' and <= 'Z' ? (char)(src[i] | 0x20) : src[i];
            }
        });

        private static string AsciiUpper(string s) => string.Create(s.Length, s, static (dst, src) =>
        {
            for (int i = 0; i < src.Length; i++)
            {
                dst[i] = src[i] is >= 'a' and <= 'z' ? (char)(src[i] & ~0x20) : src[i];
            }
        });
    }

    /// <summary>Rendered whole-table replies, index 0 for RESP2 and 1 for RESP3.</summary>
    private sealed class CachedReplies
    {
        public byte[]?[] AllInfo { get; } = new byte[]?[2];

        public byte[]?[] AllDocs { get; } = new byte[]?[2];
    }
}
