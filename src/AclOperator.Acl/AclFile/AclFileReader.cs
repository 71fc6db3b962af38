using AclOperator.Acl.Rules;
using AclOperator.Acl.Users;

namespace AclOperator.Acl.AclFile;

/// <summary>
/// Reads an aclfile with Redis 7.4's grammar and error texts (<c>ACLLoadFromFile</c>): lines split on <c>\n</c> and
/// trimmed, tokens split on single spaces (no quoting), <c>user</c> keyword case-sensitive, users built in a fresh
/// table, all lines checked and every error collected; nothing is returned unless the whole file is valid.
/// Unlike Redis 7.4.1, an unmatched <c>(</c> after other rules is reported instead of crashing (spec §10.1).
/// </summary>
public static class AclFileReader
{
    /// <summary>Parses <paramref name="content"/>; <paramref name="path"/> is the name used in error fragments.</summary>
    public static AclFileLoadResult Read(ReadOnlySpan<byte> content, string path, AclOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<AclFileError>();
        var users = new Dictionary<string, AclUser>(StringComparer.Ordinal);
        int lineNumber = 0;
        foreach (var rawLine in SplitLines(content))
        {
            lineNumber++;
            var line = Trim(rawLine, " \t\r\n"u8);
            if (line.Length == 0)
            {
                continue;
            }

            var argv = SplitOnSpace(line);
            if (!argv[0].AsSpan().SequenceEqual("user"u8) || argv.Count < 2)
            {
                errors.Add(new AclFileError(lineNumber, $"{path}:{lineNumber} should start with user keyword followed by the username. "));
                continue;
            }

            var name = AclText.FromBytes(argv[1]);
            if (AclText.HasSpaceOrNul(argv[1]))
            {
                errors.Add(new AclFileError(lineNumber, $"'{path}:{lineNumber}: username '{name}' contains invalid characters. "));
                continue;
            }

            if (users.ContainsKey(name))
            {
                errors.Add(new AclFileError(lineNumber, $"WARNING: Duplicate user '{name}' found on line {lineNumber}. "));
                continue;
            }

            var user = AclUser.Create(name, options);
            users[name] = user;
            var merged = SelectorArgumentMerger.Merge(argv.GetRange(2, argv.Count - 2), out _);
            if (merged is null)
            {
                // Redis 7.4.1 records this and then dereferences the freed rule array (SIGSEGV) when rules precede
                // the `(`; we report it and apply none of the line's rules.
                errors.Add(new AclFileError(lineNumber, $"{path}:{lineNumber}: Unmatched parenthesis in selector definition."));
                continue;
            }

            bool syntaxErrorReported = false;
            foreach (var rawOp in merged)
            {
                var op = Trim(rawOp, "\t\r\n"u8);
                var err = user.ApplyRule(op, options);
                if (err == AclRuleError.UnknownCommandOrCategory)
                {
                    var tok = AclText.FromBytes(AclText.CString(op));
                    errors.Add(new AclFileError(lineNumber, $"{path}:{lineNumber}: Error in applying operation '{tok}': {AclRuleErrors.Message(err)}. "));
                }
                else if (err != AclRuleError.None && !syntaxErrorReported)
                {
                    errors.Add(new AclFileError(lineNumber, $"{path}:{lineNumber}: {AclRuleErrors.Message(err)}. "));
                    syntaxErrorReported = true;
                }
            }
        }

        if (errors.Count > 0)
        {
            return new AclFileLoadResult(null, errors);
        }

        var table = new AclUserTable(options);
        foreach (var u in users.Values)
        {
            table.Put(u);
        }

        return new AclFileLoadResult(table, errors);
    }

    /// <summary>The whole-reply error when the file cannot be opened, e.g. <c>No such file or directory</c>.</summary>
    public static string OpenError(string path, string reason) => $"Error loading ACLs, opening file '{path}': {reason}";

    private static List<byte[]> SplitLines(ReadOnlySpan<byte> content)
    {
        var lines = new List<byte[]>();
        while (true)
        {
            int nl = content.IndexOf((byte)'\n');
            var line = nl < 0 ? content : content[..nl];

            // Redis reads the file with fgets/sdscat, so a NUL byte ends the text of its line.
            lines.Add(AclText.CString(line).ToArray());
            if (nl < 0)
            {
                break;
            }

            content = content[(nl + 1)..];
        }

        return lines;
    }

    private static List<byte[]> SplitOnSpace(ReadOnlySpan<byte> line)
    {
        var parts = new List<byte[]>();
        while (true)
        {
            int sp = line.IndexOf((byte)' ');
            if (sp < 0)
            {
                parts.Add(line.ToArray());
                return parts;
            }

            parts.Add(line[..sp].ToArray());
            line = line[(sp + 1)..];
        }
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s, ReadOnlySpan<byte> chars)
    {
        int start = 0, end = s.Length;
        while (start < end && chars.Contains(s[start]))
        {
            start++;
        }

        while (end > start && chars.Contains(s[end - 1]))
        {
            end--;
        }

        return s[start..end];
    }
}
