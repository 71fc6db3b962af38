using System.Text;
using AclOperator.Acl.Commands;

namespace AclOperator.Acl.Evaluation;

/// <summary>
/// Finds the keys of one call, as Redis 7.4's ACL check does (<c>getKeysFromCommandWithSpecs</c>: the key specs,
/// and the <c>*GetKeys</c> callbacks where Redis uses them), but <b>fail closed</b> (E1): where Redis's ACL path would
/// silently get no keys (an unresolvable key spec whose callback returns 0 keys) or the wrong keys, the argv is parsed
/// with the command's own grammar and either the real keys are returned or -1 with the exact error the command itself
/// replies.
/// </summary>
/// <remarks>
/// Deliberate deviations from Redis's ACL key extraction (all stricter):
/// <list type="bullet">
/// <item>Keynum commands (EVAL*, FCALL*, Z*STORE, ZUNION/ZINTER/ZDIFF/ZINTERCARD, SINTERCARD, LMPOP, BLMPOP, ZMPOP,
/// BZMPOP): numkeys is validated as the command validates it; invalid, negative, zero (where not allowed) or
/// past-argc numkeys gives -1 with the command's error.</item>
/// <item>XREAD/XREADGROUP: the STREAMS position is found with xreadCommand's own option parser (Redis's key spec
/// searches for the first <c>STREAMS</c> from argv[4] for XREADGROUP and so checks the wrong key for
/// <c>XREADGROUP COUNT 1 GROUP g streams STREAMS k 0</c>); parse errors, a missing STREAMS and an unbalanced list
/// give -1.</item>
/// <item>SORT: the STORE key is the one sort.c writes (the last STORE, its argument consumed); Redis's sortGetKeys
/// does not skip the STORE argument, so for <c>SORT k STORE get STORE victim</c> it checks <c>get</c> while the
/// command writes <c>victim</c>. When sort.c would reply an error, sortGetKeys' keys are returned (the command does
/// not run).</item>
/// <item>MIGRATE: the options are parsed as migrateCommand parses them; a syntax error or KEYS with a non-empty key
/// argument gives -1 (Redis's callback returns 0 keys for the latter).</item>
/// <item>PFMERGE with only the destination: Redis's source key spec is out of range, the whole extraction fails and
/// the call is checked with no keys at all although it writes the destination; here the destination is
/// returned.</item>
/// </list>
/// Keyword comparisons use C-string semantics (an argument is compared up to its first NUL byte), as Redis's
/// <c>strcasecmp</c> does; integers are parsed exactly as <c>string2ll</c>.
/// </remarks>
public static class KeyExtractor
{
    internal const string SyntaxError = "ERR syntax error";
    internal const string NotAnInteger = "ERR value is not an integer or out of range";
    private const string KeysGreaterThanArgs = "ERR Number of keys can't be greater than number of args";
    private const string KeysNegative = "ERR Number of keys can't be negative";
    private const string NumkeysPositive = "ERR numkeys should be greater than 0";
    private const string NoScript = "NOSCRIPT No matching script. Please use EVAL.";
    private const string BadNumberOfKeys = "ERR Bad number of keys provided";
    private const string MigrateKeysNeedsEmptyKey =
        "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string";

    /// <summary>Redis's <c>doesCommandHaveKeys</c>: the command has a getkeys callback or a key spec that is not
    /// <c>not_key</c>.</summary>
    public static bool CanHaveKeys(RedisCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command.CanHaveKeys;
    }

    /// <summary>
    /// Fills <paramref name="dest"/> with the keys of this call in Redis's key-spec order. Returns the number of keys;
    /// if it is larger than <c>dest.Length</c> only <c>dest.Length</c> were written and the caller retries with a
    /// bigger buffer. Returns -1 when the keys cannot be resolved; <paramref name="error"/> is then exactly the error
    /// Redis replies for this argv (without the leading <c>-</c>). Does not allocate on the success path.
    /// </summary>
    /// <param name="command">The command (or subcommand) as looked up from argv[0] (and argv[1]).</param>
    /// <param name="argv">The full argv; argv[0] is the command name.</param>
    /// <param name="dest">Receives the keys.</param>
    /// <param name="error">The error reply when -1 is returned, otherwise null.</param>
    public static int GetKeys(RedisCommand command, CommandArgs argv, Span<KeyReference> dest, out string? error)
    {
        ArgumentNullException.ThrowIfNull(command);
        error = null;
        if (!command.ArityAccepts(argv.Count))
        {
            error = "ERR wrong number of arguments for '" + command.FullName + "' command";
            return -1;
        }

        var writer = new KeyWriter(dest);
        switch (command.GetKeysFunction)
        {
            case null:
                return PlainSpecs(command, argv, ref writer, out error);
            case "setGetKeys":
                return SetKeys(argv, ref writer);
            case "bitfieldGetKeys":
                return BitfieldKeys(argv, ref writer);
            case "sortROGetKeys":
                writer.Add(1, KeySpecFlags.RO | KeySpecFlags.Access);
                return writer.Count;
            case "sortGetKeys":
                return SortKeys(argv, ref writer);
            case "migrateGetKeys":
                return MigrateKeys(argv, ref writer, out error);
            case "xreadGetKeys":
                return XreadKeys(command, argv, ref writer, out error);
            case "georadiusGetKeys":
                return GeoradiusKeys(command, argv, ref writer);
            case "evalGetKeys":
            case "functionGetKeys":
            case "zunionInterDiffGetKeys":
            case "zunionInterDiffStoreGetKeys":
            case "sintercardGetKeys":
            case "lmpopGetKeys":
            case "blmpopGetKeys":
            case "zmpopGetKeys":
            case "bzmpopGetKeys":
                return NumkeysKeys(command, argv, ref writer, out error);
            default:
                // An unknown callback: use the specs, never silently nothing.
                if (!TrySpecs(command, argv, ref writer, partial: false))
                {
                    error = SyntaxError;
                    return -1;
                }

                return writer.Count;
        }
    }

    /// <summary>Accumulates keys into the caller's span, counting past its end.</summary>
    private ref struct KeyWriter
    {
        private readonly Span<KeyReference> _dest;

        public KeyWriter(Span<KeyReference> dest)
        {
            _dest = dest;
            Count = 0;
        }

        public int Count { get; private set; }

        public void Add(int index, KeySpecFlags flags)
        {
            if (Count < _dest.Length)
            {
                _dest[Count] = new KeyReference(index, flags);
            }

            Count++;
        }

        public void Reset() => Count = 0;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Key specs (getKeysUsingKeySpecs)

    private static int PlainSpecs(RedisCommand command, CommandArgs argv, ref KeyWriter writer, out string? error)
    {
        error = null;
        bool anyInvalid = !TrySpecs(command, argv, ref writer, partial: true);
        if (anyInvalid && writer.Count == 0)
        {
            // Redis would check no keys at all: fail closed.
            error = SyntaxError;
            return -1;
        }

        return writer.Count;
    }

    /// <summary>Redis's getKeysUsingKeySpecs. With <paramref name="partial"/> an invalid spec is skipped (its keys
    /// found so far kept) and false is returned at the end; without it the first invalid spec resets the result and
    /// returns false.</summary>
    private static bool TrySpecs(RedisCommand command, CommandArgs argv, ref KeyWriter writer, bool partial)
    {
        int argc = argv.Count;
        bool allValid = true;
        foreach (var spec in command.KeySpecs)
        {
            if ((spec.Flags & KeySpecFlags.NotKey) != 0)
            {
                continue;
            }

            if (TryOneSpec(spec, argv, argc, ref writer))
            {
                continue;
            }

            allValid = false;
            if (!partial)
            {
                writer.Reset();
                return false;
            }
        }

        return allValid;
    }

    private static bool TryOneSpec(KeySpec spec, CommandArgs argv, int argc, ref KeyWriter writer)
    {
        long first = 0;
        if (spec.BeginSearch == BeginSearchKind.Index)
        {
            first = spec.Index;
        }
        else if (spec.BeginSearch == BeginSearchKind.Keyword && spec.Keyword is not null)
        {
            int start = spec.StartFrom > 0 ? spec.StartFrom : argc + spec.StartFrom;
            int end = spec.StartFrom > 0 ? argc - 1 : 1;
            for (int i = start; i != end; i = start <= end ? i + 1 : i - 1)
            {
                if (i >= argc || i < 1)
                {
                    break;
                }

                if (CStringEqualsIgnoreCase(argv[i], spec.Keyword))
                {
                    first = i + 1;
                    break;
                }
            }

            if (first == 0)
            {
                return true; // keyword not found: this spec has no keys
            }
        }
        else
        {
            return false;
        }

        long last;
        long step;
        if (spec.FindKeys == FindKeysKind.Range)
        {
            step = spec.KeyStep;
            if (spec.LastKey >= 0)
            {
                last = first + spec.LastKey;
            }
            else if (spec.Limit == 0)
            {
                last = argc + spec.LastKey;
            }
            else
            {
                last = first + (((argc - first) / spec.Limit) + spec.LastKey);
            }
        }
        else if (spec.FindKeys == FindKeysKind.Keynum)
        {
            step = spec.KeyStep;
            long numkeysIndex = first + spec.KeynumIndex;
            if (spec.KeynumIndex >= argc || numkeysIndex >= argc)
            {
                return false;
            }

            if (!RedisInteger.TryParse(argv[(int)numkeysIndex], out long numkeys) || numkeys < 0 || numkeys > argc)
            {
                return false;
            }

            first += spec.FirstKey;
            last = first + numkeys - 1;
        }
        else
        {
            return false;
        }

        if (last >= argc || last < first || first >= argc || step <= 0)
        {
            return false;
        }

        for (long i = first; i <= last; i += step)
        {
            writer.Add((int)i, spec.Flags);
        }

        return (spec.Flags & KeySpecFlags.Incomplete) == 0;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Callbacks with variable flags

    /// <summary>setGetKeys: RW|ACCESS|UPDATE when an argument from argv[3] on is GET (ci), else OW|UPDATE.</summary>
    private static int SetKeys(CommandArgs argv, ref KeyWriter writer)
    {
        for (int i = 3; i < argv.Count; i++)
        {
            if (CStringEqualsIgnoreCase(argv[i], "GET"u8))
            {
                writer.Add(1, KeySpecFlags.RW | KeySpecFlags.Access | KeySpecFlags.Update);
                return writer.Count;
            }
        }

        writer.Add(1, KeySpecFlags.OW | KeySpecFlags.Update);
        return writer.Count;
    }

    /// <summary>bitfieldGetKeys: RO|ACCESS with only well-formed GET/OVERFLOW operations, else RW|ACCESS|UPDATE.</summary>
    private static int BitfieldKeys(CommandArgs argv, ref KeyWriter writer)
    {
        int argc = argv.Count;
        bool readOnly = true;
        for (int i = 2; i < argc; i++)
        {
            int remaining = argc - i - 1;
            var arg = argv[i];
            if (CStringEqualsIgnoreCase(arg, "GET"u8) && remaining >= 2)
            {
                i += 2;
            }
            else if ((CStringEqualsIgnoreCase(arg, "SET"u8) || CStringEqualsIgnoreCase(arg, "INCRBY"u8)) && remaining >= 3)
            {
                readOnly = false;
                break;
            }
            else if (CStringEqualsIgnoreCase(arg, "OVERFLOW"u8) && remaining >= 1)
            {
                i += 1;
            }
            else
            {
                readOnly = false;
                break;
            }
        }

        writer.Add(1, readOnly
            ? KeySpecFlags.RO | KeySpecFlags.Access
            : KeySpecFlags.RW | KeySpecFlags.Access | KeySpecFlags.Update);
        return writer.Count;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // SORT

    private static int SortKeys(CommandArgs argv, ref KeyWriter writer)
    {
        writer.Add(1, KeySpecFlags.RO | KeySpecFlags.Access);
        int storeIndex = SortStoreIndexAsParsed(argv, out bool parsed);
        if (!parsed)
        {
            // sort.c replies an error and writes nothing: check what Redis's sortGetKeys checks.
            storeIndex = SortStoreIndexAsSortGetKeys(argv);
        }

        if (storeIndex > 0)
        {
            writer.Add(storeIndex, KeySpecFlags.OW | KeySpecFlags.Update);
        }

        return writer.Count;
    }

    /// <summary>The STORE key index as sortCommandGeneric parses argv (last STORE wins), 0 if none;
    /// <paramref name="parsed"/> is false when sort.c would reply a syntax or integer error.</summary>
    private static int SortStoreIndexAsParsed(CommandArgs argv, out bool parsed)
    {
        int argc = argv.Count;
        int store = 0;
        for (int j = 2; j < argc; j++)
        {
            int left = argc - j - 1;
            var arg = argv[j];
            if (CStringEqualsIgnoreCase(arg, "ASC"u8) || CStringEqualsIgnoreCase(arg, "DESC"u8)
                || CStringEqualsIgnoreCase(arg, "ALPHA"u8))
            {
                continue;
            }

            if (CStringEqualsIgnoreCase(arg, "LIMIT"u8) && left >= 2)
            {
                if (!RedisInteger.TryParse(argv[j + 1], out _) || !RedisInteger.TryParse(argv[j + 2], out _))
                {
                    parsed = false;
                    return store;
                }

                j += 2;
            }
            else if (CStringEqualsIgnoreCase(arg, "STORE"u8) && left >= 1)
            {
                store = j + 1;
                j++;
            }
            else if ((CStringEqualsIgnoreCase(arg, "BY"u8) || CStringEqualsIgnoreCase(arg, "GET"u8)) && left >= 1)
            {
                j++;
            }
            else
            {
                parsed = false;
                return store;
            }
        }

        parsed = true;
        return store;
    }

    /// <summary>Redis's sortGetKeys scan (the last STORE it sees, without consuming the STORE argument).</summary>
    private static int SortStoreIndexAsSortGetKeys(CommandArgs argv)
    {
        int argc = argv.Count;
        int store = 0;
        for (int i = 2; i < argc; i++)
        {
            var arg = argv[i];
            if (CStringEqualsIgnoreCase(arg, "LIMIT"u8))
            {
                i += 2;
            }
            else if (CStringEqualsIgnoreCase(arg, "STORE"u8) && i + 1 < argc)
            {
                store = i + 1;
            }
            else if (CStringEqualsIgnoreCase(arg, "GET"u8) || CStringEqualsIgnoreCase(arg, "BY"u8))
            {
                i += 1;
            }
        }

        return store;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // MIGRATE

    private static int MigrateKeys(CommandArgs argv, ref KeyWriter writer, out string? error)
    {
        error = null;
        const KeySpecFlags flags = KeySpecFlags.RW | KeySpecFlags.Access | KeySpecFlags.Delete;
        int argc = argv.Count;
        for (int j = 6; j < argc; j++)
        {
            int more = argc - 1 - j;
            var arg = argv[j];
            if (CStringEqualsIgnoreCase(arg, "COPY"u8) || CStringEqualsIgnoreCase(arg, "REPLACE"u8))
            {
                continue;
            }

            if (CStringEqualsIgnoreCase(arg, "AUTH"u8))
            {
                if (more < 1)
                {
                    error = SyntaxError;
                    return -1;
                }

                j++;
            }
            else if (CStringEqualsIgnoreCase(arg, "AUTH2"u8))
            {
                if (more < 2)
                {
                    error = SyntaxError;
                    return -1;
                }

                j += 2;
            }
            else if (CStringEqualsIgnoreCase(arg, "KEYS"u8))
            {
                if (argv[3].Length != 0)
                {
                    error = MigrateKeysNeedsEmptyKey;
                    return -1;
                }

                if (j == argc - 1)
                {
                    // KEYS with nothing after it migrates nothing (NOKEY); Redis checks the (empty) key argument.
                    break;
                }

                for (int k = j + 1; k < argc; k++)
                {
                    writer.Add(k, flags);
                }

                return writer.Count;
            }
            else
            {
                error = SyntaxError;
                return -1;
            }
        }

        writer.Add(3, flags);
        return writer.Count;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // XREAD / XREADGROUP

    private static int XreadKeys(RedisCommand command, CommandArgs argv, ref KeyWriter writer, out string? error)
    {
        error = null;
        bool group = command.Name.Length == 10; // xreadgroup, as xreadCommand tells them apart
        int argc = argv.Count;
        int streamsArg = 0;
        int streamsCount = 0;
        bool sawGroup = false;
        for (int i = 1; i < argc; i++)
        {
            int more = argc - i - 1;
            var arg = argv[i];
            if (CStringEqualsIgnoreCase(arg, "BLOCK"u8) && more > 0)
            {
                i++;
                error = CheckMillisecondsTimeout(argv[i]);
                if (error is not null)
                {
                    return -1;
                }
            }
            else if (CStringEqualsIgnoreCase(arg, "COUNT"u8) && more > 0)
            {
                i++;
                if (!RedisInteger.TryParse(argv[i], out _))
                {
                    error = NotAnInteger;
                    return -1;
                }
            }
            else if (CStringEqualsIgnoreCase(arg, "STREAMS"u8) && more > 0)
            {
                streamsArg = i + 1;
                streamsCount = argc - streamsArg;
                if (streamsCount % 2 != 0)
                {
                    error = "ERR Unbalanced '" + command.FullName
                        + "' list of streams: for each stream key an ID or '" + (group ? '>' : '$')
                        + "' must be specified.";
                    return -1;
                }

                streamsCount /= 2;
                break;
            }
            else if (CStringEqualsIgnoreCase(arg, "GROUP"u8) && more >= 2)
            {
                if (!group)
                {
                    error = "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.";
                    return -1;
                }

                sawGroup = true;
                i += 2;
            }
            else if (CStringEqualsIgnoreCase(arg, "NOACK"u8))
            {
                if (!group)
                {
                    error = "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.";
                    return -1;
                }
            }
            else
            {
                error = SyntaxError;
                return -1;
            }
        }

        if (streamsArg == 0)
        {
            error = SyntaxError;
            return -1;
        }

        if (group && !sawGroup)
        {
            // xreadCommand refuses XREADGROUP without GROUP before touching any key.
            error = "ERR Missing GROUP option for XREADGROUP";
            return -1;
        }

        var flags = SpecFlagsOrDefault(command, KeySpecFlags.RO | KeySpecFlags.Access);
        for (int k = 0; k < streamsCount; k++)
        {
            writer.Add(streamsArg + k, flags);
        }

        return writer.Count;
    }

    /// <summary>getTimeoutFromObjectOrReply with UNIT_MILLISECONDS: null when valid, else the error.</summary>
    private static string? CheckMillisecondsTimeout(ReadOnlySpan<byte> arg)
    {
        if (!RedisInteger.TryParse(arg, out long value))
        {
            return "ERR timeout is not an integer or out of range";
        }

        if (value < 0)
        {
            return "ERR timeout is negative";
        }

        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return value > 0 && value > long.MaxValue - now ? "ERR timeout is out of range" : null;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // GEORADIUS / GEORADIUSBYMEMBER

    private static int GeoradiusKeys(RedisCommand command, CommandArgs argv, ref KeyWriter writer)
    {
        // The specs (key; first STORE after the fixed args; first STOREDIST) are always resolvable for these two
        // commands, and cover every STORE/STOREDIST value georadiusCommand may write (it writes the last one).
        if (TrySpecs(command, argv, ref writer, partial: false))
        {
            return writer.Count;
        }

        // Not reachable with the 7.4 specs; georadiusGetKeys as the fallback Redis uses.
        writer.Add(1, KeySpecFlags.RO | KeySpecFlags.Access);
        int stored = -1;
        for (int i = 5; i < argv.Count; i++)
        {
            if ((CStringEqualsIgnoreCase(argv[i], "STORE"u8) || CStringEqualsIgnoreCase(argv[i], "STOREDIST"u8))
                && i + 1 < argv.Count)
            {
                stored = i + 1;
                i++;
            }
        }

        if (stored > 0)
        {
            writer.Add(stored, KeySpecFlags.OW | KeySpecFlags.Update);
        }

        return writer.Count;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // numkeys commands

    private static int NumkeysKeys(RedisCommand command, CommandArgs argv, ref KeyWriter writer, out string? error)
    {
        error = ValidateNumkeys(command, argv, out long numkeys);
        if (error is not null)
        {
            return -1;
        }

        if (numkeys == 0)
        {
            return 0; // EVAL/FCALL with no keys: a legitimate zero-key call
        }

        if (!TrySpecs(command, argv, ref writer, partial: false))
        {
            error = SyntaxError; // not reachable once numkeys is validated
            return -1;
        }

        return writer.Count;
    }

    /// <summary>The numkeys checks of each command, in the command's own order and with its own texts.</summary>
    private static string? ValidateNumkeys(RedisCommand command, CommandArgs argv, out long numkeys)
    {
        int argc = argv.Count;
        string name = command.FullName;
        switch (command.GetKeysFunction)
        {
            case "evalGetKeys":
            {
                string? err = !RedisInteger.TryParse(argv[2], out numkeys) ? NotAnInteger
                    : numkeys > argc - 3 ? KeysGreaterThanArgs
                    : numkeys < 0 ? KeysNegative
                    : null;
                // EVALSHA replies NOSCRIPT before looking at numkeys when the sha is not 40 bytes long.
                if (err is not null && name.StartsWith("evalsha", StringComparison.Ordinal) && argv[1].Length != 40)
                {
                    err = NoScript;
                }

                return err;
            }

            case "functionGetKeys":
                // fcallCommandGeneric first replies "ERR Function not found" for an unknown function (server state).
                return !RedisInteger.TryParse(argv[2], out numkeys) ? BadNumberOfKeys
                    : numkeys > argc - 3 ? KeysGreaterThanArgs
                    : numkeys < 0 ? KeysNegative
                    : null;

            case "zunionInterDiffGetKeys":
            case "zunionInterDiffStoreGetKeys":
            {
                int index = command.GetKeysFunction == "zunionInterDiffStoreGetKeys" ? 2 : 1;
                return !RedisInteger.TryParse(argv[index], out numkeys) ? NotAnInteger
                    : numkeys < 1 ? "ERR at least 1 input key is needed for '" + name + "' command"
                    : numkeys > argc - (index + 1) ? SyntaxError
                    : null;
            }

            case "sintercardGetKeys":
                return !RedisInteger.TryParse(argv[1], out numkeys) || numkeys < 1 ? NumkeysPositive
                    : numkeys > argc - 2 ? KeysGreaterThanArgs
                    : null;

            case "lmpopGetKeys":
            case "zmpopGetKeys":
            case "blmpopGetKeys":
            case "bzmpopGetKeys":
            {
                int index = command.GetKeysFunction is "blmpopGetKeys" or "bzmpopGetKeys" ? 2 : 1;
                // where_idx = numkeys_idx + numkeys + 1 must be < argc.
                return !RedisInteger.TryParse(argv[index], out numkeys) || numkeys < 1 ? NumkeysPositive
                    : numkeys >= argc - index - 1 ? SyntaxError
                    : null;
            }

            default:
                numkeys = 0;
                return SyntaxError;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Helpers

    private static KeySpecFlags SpecFlagsOrDefault(RedisCommand command, KeySpecFlags fallback)
    {
        foreach (var spec in command.KeySpecs)
        {
            if ((spec.Flags & KeySpecFlags.NotKey) == 0)
            {
                return spec.Flags & ~(KeySpecFlags.Incomplete | KeySpecFlags.VariableFlags);
            }
        }

        return fallback;
    }

    /// <summary>strcasecmp(arg, keyword) == 0 on the C string of <paramref name="arg"/> (cut at its first NUL).</summary>
    internal static bool CStringEqualsIgnoreCase(ReadOnlySpan<byte> arg, ReadOnlySpan<byte> upperKeyword)
    {
        int nul = arg.IndexOf((byte)0);
        if (nul >= 0)
        {
            arg = arg[..nul];
        }

        return Ascii.EqualsIgnoreCase(arg, upperKeyword);
    }

    private static bool CStringEqualsIgnoreCase(ReadOnlySpan<byte> arg, string keyword)
    {
        int nul = arg.IndexOf((byte)0);
        if (nul >= 0)
        {
            arg = arg[..nul];
        }

        if (arg.Length != keyword.Length)
        {
            return false;
        }

        for (int i = 0; i < arg.Length; i++)
        {
            int a = arg[i];
            int b = keyword[i];
            if (a is >= 'a' and <= 'z')
            {
                a -= 32;
            }

            if (b is >= 'a' and <= 'z')
            {
                b -= 32;
            }

            if (a != b)
            {
                return false;
            }
        }

        return true;
    }
}
