using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text.Json;

namespace AclOperator.Acl.Commands;

/// <summary>
/// Builds a <see cref="CommandTable"/> from the JSON written by <c>src/AclOperator.Acl/Commands/gen-command-table.py</c>, deriving what
/// Redis derives at startup: implicit ACL categories (<c>setImplicitACLCategories</c>) and the movable-keys flag
/// (<c>populateCommandLegacyRangeSpec</c>).
/// </summary>
internal static class CommandTableLoader
{
    internal const int SupportedFormat = 1;

    private static readonly FrozenDictionary<string, CommandFlags> s_commandFlags =
        new Dictionary<string, CommandFlags>(StringComparer.Ordinal)
        {
            ["WRITE"] = CommandFlags.Write,
            ["READONLY"] = CommandFlags.ReadOnly,
            ["DENYOOM"] = CommandFlags.DenyOom,
            ["MODULE"] = CommandFlags.Module,
            ["ADMIN"] = CommandFlags.Admin,
            ["PUBSUB"] = CommandFlags.PubSub,
            ["NOSCRIPT"] = CommandFlags.NoScript,
            ["BLOCKING"] = CommandFlags.Blocking,
            ["LOADING"] = CommandFlags.Loading,
            ["STALE"] = CommandFlags.Stale,
            ["SKIP_MONITOR"] = CommandFlags.SkipMonitor,
            ["SKIP_SLOWLOG"] = CommandFlags.SkipSlowlog,
            ["ASKING"] = CommandFlags.Asking,
            ["FAST"] = CommandFlags.Fast,
            ["NO_AUTH"] = CommandFlags.NoAuth,
            ["MAY_REPLICATE"] = CommandFlags.MayReplicate,
            ["SENTINEL"] = CommandFlags.Sentinel,
            ["ONLY_SENTINEL"] = CommandFlags.OnlySentinel,
            ["NO_MANDATORY_KEYS"] = CommandFlags.NoMandatoryKeys,
            ["PROTECTED"] = CommandFlags.Protected,
            ["NO_ASYNC_LOADING"] = CommandFlags.NoAsyncLoading,
            ["NO_MULTI"] = CommandFlags.NoMulti,
            ["ALLOW_BUSY"] = CommandFlags.AllowBusy,
            ["TOUCHES_ARBITRARY_KEYS"] = CommandFlags.TouchesArbitraryKeys,
        }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, KeySpecFlags> s_keySpecFlags =
        new Dictionary<string, KeySpecFlags>(StringComparer.Ordinal)
        {
            ["RO"] = KeySpecFlags.RO,
            ["RW"] = KeySpecFlags.RW,
            ["OW"] = KeySpecFlags.OW,
            ["RM"] = KeySpecFlags.RM,
            ["ACCESS"] = KeySpecFlags.Access,
            ["UPDATE"] = KeySpecFlags.Update,
            ["INSERT"] = KeySpecFlags.Insert,
            ["DELETE"] = KeySpecFlags.Delete,
            ["NOT_KEY"] = KeySpecFlags.NotKey,
            ["INCOMPLETE"] = KeySpecFlags.Incomplete,
            ["VARIABLE_FLAGS"] = KeySpecFlags.VariableFlags,
        }.ToFrozenDictionary(StringComparer.Ordinal);

    internal static CommandTable Load(Stream json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException("Command table is not valid JSON: " + ex.Message, ex);
        }

        using (doc)
        {
            try
            {
                return Build(doc.RootElement);
            }
            catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
            {
                // JsonElement accessors throw these on missing properties or wrong value kinds.
                throw new InvalidDataException("Malformed command table: " + ex.Message, ex);
            }
        }
    }

    private static CommandTable Build(JsonElement root)
    {
        int format = root.GetProperty("format").GetInt32();
        if (format != SupportedFormat)
        {
            throw new InvalidDataException($"Unsupported command table format {format} (expected {SupportedFormat}).");
        }

        string version = root.GetProperty("redis_version").GetString()
            ?? throw new InvalidDataException("Command table has no redis_version.");
        string? commit = OptionalString(root, "redis_commit");

        var topLevel = new List<JsonElement>();
        var subsByContainer = new Dictionary<string, List<JsonElement>>(StringComparer.Ordinal);
        foreach (var entry in root.GetProperty("commands").EnumerateArray())
        {
            string? container = OptionalString(entry, "container");
            if (container is null)
            {
                topLevel.Add(entry);
            }
            else
            {
                if (!subsByContainer.TryGetValue(container, out var list))
                {
                    list = [];
                    subsByContainer.Add(container, list);
                }

                list.Add(entry);
            }
        }

        topLevel.Sort(CompareByName);
        var all = new List<RedisCommand>();
        var seenContainers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in topLevel)
        {
            var cmd = BuildCommand(all.Count, entry, parent: null);
            all.Add(cmd);
            if (!subsByContainer.TryGetValue(cmd.Name, out var subs))
            {
                continue;
            }

            if (!seenContainers.Add(cmd.Name))
            {
                throw new InvalidDataException($"Duplicate command '{cmd.Name}'.");
            }

            subs.Sort(CompareByName);
            foreach (var subEntry in subs)
            {
                var sub = BuildCommand(all.Count, subEntry, cmd);
                if (cmd.FindSubcommand(sub.Name.AsSpan()) is not null)
                {
                    throw new InvalidDataException($"Duplicate subcommand '{sub.FullName}'.");
                }

                cmd.AddSubcommand(sub);
                all.Add(sub);
            }
        }

        foreach (string container in subsByContainer.Keys)
        {
            if (!seenContainers.Contains(container))
            {
                throw new InvalidDataException($"Subcommands of unknown container '{container}'.");
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var cmd in all)
        {
            if (cmd.Parent is null && !names.Add(cmd.Name))
            {
                throw new InvalidDataException($"Duplicate command '{cmd.Name}'.");
            }

            cmd.Seal();
        }

        return new CommandTable(version, commit, [.. all]);
    }

    private static int CompareByName(JsonElement a, JsonElement b) =>
        string.CompareOrdinal(a.GetProperty("name").GetString(), b.GetProperty("name").GetString());

    private static RedisCommand BuildCommand(int id, JsonElement entry, RedisCommand? parent)
    {
        string name = entry.GetProperty("name").GetString() ?? string.Empty;
        if (!IsValidName(name))
        {
            throw new InvalidDataException($"Invalid command name '{name}' (expected lowercase ASCII).");
        }

        var flags = CommandFlags.None;
        foreach (var flag in entry.GetProperty("command_flags").EnumerateArray())
        {
            string text = flag.GetString() ?? string.Empty;
            flags |= s_commandFlags.TryGetValue(text, out var f)
                ? f
                : throw new InvalidDataException($"{name}: unknown command flag '{text}'.");
        }

        var explicitCategories = AclCategories.None;
        foreach (var cat in entry.GetProperty("acl_categories").EnumerateArray())
        {
            string text = cat.GetString() ?? string.Empty;
            explicitCategories |= AclCategoryNames.TryParse(text, out var c)
                ? c
                : throw new InvalidDataException($"{name}: unknown ACL category '{text}'.");
        }

        var keySpecs = ImmutableArray.CreateBuilder<KeySpec>();
        foreach (var spec in entry.GetProperty("key_specs").EnumerateArray())
        {
            keySpecs.Add(ParseKeySpec(name, spec));
        }

        var specs = keySpecs.DrainToImmutable();
        if (HasMovableKeys(specs))
        {
            flags |= CommandFlags.MovableKeys;
        }

        var docs = new CommandDocs(
            Summary: entry.GetProperty("summary").GetString() ?? string.Empty,
            Since: entry.GetProperty("since").GetString() ?? string.Empty,
            Group: entry.GetProperty("group").GetString() ?? string.Empty,
            Complexity: OptionalString(entry, "complexity"),
            DeprecatedSince: OptionalString(entry, "deprecated_since"),
            ReplacedBy: OptionalString(entry, "replaced_by"),
            DocFlags: LowercaseList(entry, "doc_flags"),
            Tips: LowercaseList(entry, "command_tips"),
            ArgumentsJson: OptionalRaw(entry, "arguments"),
            HistoryJson: OptionalRaw(entry, "history"));

        return new RedisCommand(
            id,
            name,
            parent,
            entry.GetProperty("arity").GetInt32(),
            flags,
            ImplicitCategories(flags, explicitCategories),
            specs,
            OptionalString(entry, "get_keys_function"),
            docs);
    }

    /// <summary>Redis's <c>setImplicitACLCategories</c>: explicit categories plus those implied by the flags.</summary>
    internal static AclCategories ImplicitCategories(CommandFlags flags, AclCategories categories)
    {
        if ((flags & CommandFlags.Write) != 0)
        {
            categories |= AclCategories.Write;
        }

        // Scripting commands are excluded from @read (EVAL_RO, FCALL_RO, ...).
        if ((flags & CommandFlags.ReadOnly) != 0 && (categories & AclCategories.Scripting) == 0)
        {
            categories |= AclCategories.Read;
        }

        if ((flags & CommandFlags.Admin) != 0)
        {
            categories |= AclCategories.Admin | AclCategories.Dangerous;
        }

        if ((flags & CommandFlags.PubSub) != 0)
        {
            categories |= AclCategories.PubSub;
        }

        if ((flags & CommandFlags.Fast) != 0)
        {
            categories |= AclCategories.Fast;
        }

        if ((flags & CommandFlags.Blocking) != 0)
        {
            categories |= AclCategories.Blocking;
        }

        // "If it's not @fast is @slow in this binary world."
        if ((categories & AclCategories.Fast) == 0)
        {
            categories |= AclCategories.Slow;
        }

        return categories;
    }

    /// <summary>
    /// Redis's <c>populateCommandLegacyRangeSpec</c> rule for <c>CMD_MOVABLE_KEYS</c> (native commands have no
    /// module getkeys callback): the keys are movable unless every key spec is a plain index+range spec, the ranges
    /// have step 1 and are consecutive, and none is incomplete.
    /// </summary>
    internal static bool HasMovableKeys(ImmutableArray<KeySpec> specs)
    {
        if (specs.Length == 0)
        {
            return false;
        }

        if (specs.Length == 1 && IsIndexRange(specs[0]))
        {
            // "Quick win, exactly one range spec": only the incomplete flag makes it movable (any step is fine).
            return (specs[0].Flags & KeySpecFlags.Incomplete) != 0;
        }

        bool movable = false;
        int firstKey = int.MaxValue;
        int lastKey = 0;
        int prevLastKey = 0;
        foreach (var spec in specs)
        {
            if (!IsIndexRange(spec))
            {
                movable = true;
                continue;
            }

            if (spec.KeyStep != 1 || (prevLastKey != 0 && prevLastKey != spec.Index - 1))
            {
                movable = true;
                continue;
            }

            if ((spec.Flags & KeySpecFlags.Incomplete) != 0)
            {
                movable = true;
            }

            firstKey = Math.Min(firstKey, spec.Index);
            int lastKeyAbs = spec.LastKey;
            if (lastKeyAbs >= 0)
            {
                lastKeyAbs += spec.Index;
            }

            // Redis compares as unsigned so that a negative (from-the-end) last key wins.
            lastKey = (int)Math.Max((uint)lastKey, (uint)lastKeyAbs);
            prevLastKey = lastKey;
        }

        return movable || firstKey == int.MaxValue;
    }

    private static bool IsIndexRange(KeySpec spec) =>
        spec.BeginSearch == BeginSearchKind.Index && spec.FindKeys == FindKeysKind.Range;

    private static KeySpec ParseKeySpec(string command, JsonElement spec)
    {
        var flags = KeySpecFlags.None;
        foreach (var flag in spec.GetProperty("flags").EnumerateArray())
        {
            string text = flag.GetString() ?? string.Empty;
            flags |= s_keySpecFlags.TryGetValue(text, out var f)
                ? f
                : throw new InvalidDataException($"{command}: unknown key-spec flag '{text}'.");
        }

        var (beginKind, beginArgs) = SingleProperty(command, spec.GetProperty("begin_search"));
        BeginSearchKind begin;
        int index = 0, startFrom = 0;
        string? keyword = null;
        switch (beginKind)
        {
            case "index":
                begin = BeginSearchKind.Index;
                index = beginArgs.GetProperty("pos").GetInt32();
                break;
            case "keyword":
                begin = BeginSearchKind.Keyword;
                keyword = beginArgs.GetProperty("keyword").GetString();
                startFrom = beginArgs.GetProperty("startfrom").GetInt32();
                break;
            case "unknown":
                begin = BeginSearchKind.Unknown;
                break;
            default:
                throw new InvalidDataException($"{command}: unknown begin_search '{beginKind}'.");
        }

        var (findKind, findArgs) = SingleProperty(command, spec.GetProperty("find_keys"));
        FindKeysKind find;
        int lastKey = 0, keyStep = 0, limit = 0, keynumIndex = 0, firstKey = 0;
        switch (findKind)
        {
            case "range":
                find = FindKeysKind.Range;
                lastKey = findArgs.GetProperty("lastkey").GetInt32();
                keyStep = findArgs.GetProperty("step").GetInt32();
                limit = findArgs.GetProperty("limit").GetInt32();
                break;
            case "keynum":
                find = FindKeysKind.Keynum;
                keynumIndex = findArgs.GetProperty("keynumidx").GetInt32();
                firstKey = findArgs.GetProperty("firstkey").GetInt32();
                keyStep = findArgs.GetProperty("step").GetInt32();
                break;
            case "unknown":
                find = FindKeysKind.Unknown;
                break;
            default:
                throw new InvalidDataException($"{command}: unknown find_keys '{findKind}'.");
        }

        return new KeySpec(flags, begin, index, keyword, startFrom, find, lastKey, keyStep, limit, keynumIndex, firstKey);
    }

    private static (string Kind, JsonElement Args) SingleProperty(string command, JsonElement obj)
    {
        string? kind = null;
        JsonElement args = default;
        foreach (var prop in obj.EnumerateObject())
        {
            if (kind is not null)
            {
                throw new InvalidDataException($"{command}: key spec search with more than one kind.");
            }

            kind = prop.Name;
            args = prop.Value;
        }

        return (kind ?? throw new InvalidDataException($"{command}: empty key spec search."), args);
    }

    private static string? OptionalString(JsonElement obj, string property) =>
        obj.TryGetProperty(property, out var value) && value.ValueKind != JsonValueKind.Null
            ? value.GetString()
            : null;

    private static string? OptionalRaw(JsonElement obj, string property) =>
        obj.TryGetProperty(property, out var value) && value.ValueKind != JsonValueKind.Null
            ? value.GetRawText()
            : null;

    private static ImmutableArray<string> LowercaseList(JsonElement obj, string property)
    {
        if (!obj.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        var builder = ImmutableArray.CreateBuilder<string>();
        foreach (var item in value.EnumerateArray())
        {
            builder.Add(AsciiLower(item.GetString() ?? string.Empty));
        }

        return builder.DrainToImmutable();
    }

    private static string AsciiLower(string s) =>
        string.Create(s.Length, s, static (dst, src) =>
        {
            for (int i = 0; i < src.Length; i++)
            {
                char c = src[i];
                dst[i] = c is >= 'A' and <= 'Z' ? (char)(c | 0x20) : c;
            }
        });

    private static bool IsValidName(string name)
    {
        if (name.Length == 0 || name.Length > CommandTable.MaxNameLength)
        {
            return false;
        }

        foreach (char c in name)
        {
            if (c is < '!' or > '~' or (>= 'A' and <= 'Z') or '|')
            {
                return false;
            }
        }

        return true;
    }
}
