using System.Text;
using AclOperator.Acl.Matching;
using AclOperator.Acl.Tests.Infrastructure;
using Xunit;

namespace AclOperator.Acl.Tests.Matching;

public sealed class GlobMatcherTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    /// <summary>Each char is one byte (U+0000..U+00FF), so tables can hold binary patterns.</summary>
    private static byte[] B(string s) => s.Select(c => checked((byte)c)).ToArray();

    public static TheoryData<string, string, bool> CaseSensitiveCases => new()
    {
        // Literals and empty strings.
        { "", "", true },
        { "", "a", false },
        { "a", "", false },
        { "abc", "abc", true },
        { "abc", "abd", false },
        { "abc", "ab", false },
        { "ab", "abc", false },
        { "abc", "ABC", false },
        { "a\0b", "a\0b", true },
        { "a\0", "a", false },
        { "\u00e9", "\u00e9", true },

        // '*' (runs collapse). Quirk: a leading star never matches the empty text.
        { "*", "", false },
        { "**", "", false },
        { "*", "a", true },
        { "*", "anything at all", true },
        { "a*", "", false },
        { "a*", "a", true },
        { "a*", "abc", true },
        { "a*", "ba", false },
        { "a**", "a", true },
        { "*a", "a", true },
        { "*a", "ba", true },
        { "*a", "ab", false },
        { "a**b", "ab", true },
        { "a**b", "axxb", true },
        { "a*b*c", "abc", true },
        { "a*b*c", "aXbYc", true },
        { "a*b*c", "acb", false },
        { "*b*", "abc", true },
        { "*b*", "ac", false },
        { "a*a", "a", false },
        { "a*a", "aa", true },
        { "*?", "", false },
        { "*?", "a", true },
        { "?*", "a", true },

        // '?'
        { "?", "", false },
        { "?", "a", true },
        { "?", "\0", true },
        { "?", "ab", false },
        { "??", "ab", true },
        { "a?c", "abc", true },
        { "a?c", "ac", false },

        // Classes.
        { "[abc]", "a", true },
        { "[abc]", "c", true },
        { "[abc]", "d", false },
        { "[abc]", "", false },
        { "[abc]", "ab", false },
        { "[abc]d", "bd", true },
        { "[^abc]", "d", true },
        { "[^abc]", "a", false },
        { "[^abc]", "", false },
        { "[a-c]", "b", true },
        { "[a-c]", "d", false },
        { "[c-a]", "b", true },  // reversed range ends are swapped
        { "[c-a]", "d", false },
        { "[^a-c]", "b", false },
        { "[^a-c]", "z", true },
        { "[a-cx]", "x", true },
        { "[a-c-e]", "d", false }, // a-c, then '-' and 'e' as literals
        { "[a-c-e]", "-", true },
        { "[a-c-e]", "e", true },
        { "[-a]", "-", true },
        { "[-a]", "a", true },
        { "[a^]", "^", true },
        { "[^^]", "^", false },
        { "[^^]", "a", true },
        { "[]", "]", false },    // empty class never matches
        { "[]", "a", false },
        { "[]a]", "]", false },
        { "[]a]", "a", false },
        { "[^]", "x", true },    // empty negated class matches any one byte
        { "[^]", "]", true },
        { "[^]", "", false },
        { "[^]", "xy", false },

        // A range can swallow the closing bracket: in "[a-]" the range is ']'..'a' and the class is unterminated.
        { "[a-]", "a", true },
        { "[a-]", "]", true },
        { "[a-]", "_", true },
        { "[a-]", "b", false },
        { "[a-]", "-", false },
        { "[a-]x", "x", true },  // 'x' is still inside the class
        { "[a-]x", "ax", false },

        // Unterminated classes end the pattern.
        { "[abc", "a", true },
        { "[abc", "d", false },
        { "[abc", "ab", false },
        { "[a", "a", true },
        { "[a-", "a", true },
        { "[a-", "-", true },
        { "[a-", "b", false },
        { "[", "[", false },
        { "[", "", false },
        { "[^", "x", true },
        { "[^", "^", true },
        { "[^", "", false },
        { "[^", "xy", false },
        { "a[", "a[", false },
        { "x[^", "xy", true },

        // Escapes outside classes.
        { "\\*", "*", true },
        { "\\*", "a", false },
        { "\\?", "?", true },
        { "\\?", "a", false },
        { "\\[", "[", true },
        { "\\[a]", "[a]", true },
        { "\\\\", "\\", true },
        { "\\a", "a", true },
        { "\\", "\\", true },    // a trailing backslash is literal
        { "\\", "", false },
        { "a\\", "a\\", true },
        { "a\\", "a", false },
        { "*\\*", "abc*", true },
        { "*\\*", "abc", false },

        // Escapes inside classes.
        { "[\\]]", "]", true },
        { "[\\]]", "\\", false },
        { "[\\-]", "-", true },
        { "[\\^]", "^", true },
        { "[a\\-z]", "-", true },
        { "[a\\-z]", "z", true },
        { "[a\\-z]", "b", false },
        { "[\\\\]", "\\", true },
        { "[\\", "\\", true },   // lone backslash at the end of an unterminated class is literal
        { "[^\\]]", "]", false },
        { "[^\\]]", "a", true },

        // Ranges compare signed C chars (x86-64): bytes >= 0x80 are negative.
        { "[a-\u00ff]", "A", true },       // -1..97
        { "[a-\u00ff]", "\0", true },
        { "[a-\u00ff]", "\u00ff", true },
        { "[a-\u00ff]", "b", false },
        { "[a-\u00ff]", "\u0080", false },
        { "[\u0080-\u00ff]", "\u00c0", true },
        { "[\u0080-\u00ff]", "a", false },
        { "[\0-\u007f]", "\u0080", false },
        { "[\u0001-\u00ff]", "\0", true },  // -1..1
        { "[^\u0080-\u00ff]", "a", true },
        { "[Z-a]", "_", true },

        // Redis keyspace.tcl: "KEYS with pattern".
        { "foo*", "foo_a", true },
        { "foo*", "key_x", false },
        { "key*", "key_z", true },

        // Redis keyspace.tcl: "Regression for pattern matching long nested loops".
        { "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", new string('a', 114), false },
    };

    public static TheoryData<string, string, bool> NoCaseCases => new()
    {
        { "ABC", "abc", true },
        { "abc", "ABC", true },
        { "a?C", "Abc", true },
        { "[A-C]", "b", true },
        { "[a-c]", "B", true },
        { "[^A]", "a", false },
        { "[ab]", "B", true },
        { "\\A", "a", true },     // an escape outside a class folds case
        { "[\\A]", "a", false },  // ... but inside a class it is compared case-sensitively
        { "[\\a]", "a", true },
        { "[Z-a]", "_", false },  // swapped before lowering: 'z'..'a' is empty
        { "[Z-a]", "z", false },
        { "[Z-a]", "a", false },
        { "\u00c9", "\u00e9", false }, // C locale: only A-Z fold
        { "CONFIG|*", "config|get", true },
    };

    [Theory]
    [MemberData(nameof(CaseSensitiveCases))]
    public void Match_case_sensitive(string pattern, string text, bool expected) =>
        Assert.Equal(expected, GlobMatcher.Match(B(pattern), B(text)));

    [Theory]
    [MemberData(nameof(CaseSensitiveCases))]
    public void Nocase_agrees_when_there_are_no_letters(string pattern, string text, bool expected)
    {
        // Without letters case folding cannot matter, so both modes must agree.
        if (!pattern.Any(char.IsAsciiLetter) && !text.Any(char.IsAsciiLetter))
        {
            Assert.Equal(expected, GlobMatcher.Match(B(pattern), B(text), nocase: true));
        }
    }

    [Theory]
    [MemberData(nameof(NoCaseCases))]
    public void Match_nocase(string pattern, string text, bool expected) =>
        Assert.Equal(expected, GlobMatcher.Match(B(pattern), B(text), nocase: true));

    [Fact]
    public void Case_sensitive_by_default()
    {
        Assert.False(GlobMatcher.Match("ABC"u8, "abc"u8));
        Assert.False(GlobMatcher.Match("[A-C]"u8, "b"u8));
    }

    [Fact]
    public void Nesting_limit_of_1000_stars()
    {
        // "a*" x N against "a" x N recurses to nesting N - 1 (the last star matches directly).
        static bool Run(int n) =>
            GlobMatcher.Match(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("a*", n))), Encoding.ASCII.GetBytes(new string('a', n)));

        Assert.True(Run(1001));
        Assert.False(Run(1002));
        Assert.False(Run(5000));
    }

    [Fact]
    public void Very_long_nested_loops_finish_without_stack_overflow()
    {
        // Redis keyspace.tcl: "Regression for pattern matching very long nested loops".
        byte[] key = Encoding.ASCII.GetBytes(new string('a', 50000));
        byte[] pattern = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("*?", 50000)));
        Assert.False(GlobMatcher.Match(pattern, key));
    }

    [Fact]
    public void SkipLongerMatches_keeps_pathological_patterns_fast()
    {
        byte[] pattern = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("*a", 200)) + "*b");
        byte[] text = Encoding.ASCII.GetBytes(new string('a', 5000));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(GlobMatcher.Match(pattern, text));
        Assert.True(GlobMatcher.Match(pattern, Encoding.ASCII.GetBytes(new string('a', 5000) + "b")));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("abc", false)]
    [InlineData("a]b^-", false)]
    [InlineData("a*", true)]
    [InlineData("?", true)]
    [InlineData("[", true)]
    [InlineData("a\\b", true)]
    public void HasGlobChars(string pattern, bool expected) => Assert.Equal(expected, GlobMatcher.HasGlobChars(B(pattern)));

    [Theory]
    [InlineData("abc*", true, 3)]
    [InlineData("a*", true, 1)]
    [InlineData("a]^-*", true, 4)]
    [InlineData("*", false, 0)]     // "*" does not match the empty text, so it is not a plain prefix
    [InlineData("", false, 0)]
    [InlineData("abc", false, 0)]
    [InlineData("ab**", false, 0)]
    [InlineData("*ab*", false, 0)]
    [InlineData("a?*", false, 0)]
    [InlineData("a[b]*", false, 0)]
    [InlineData("a\\**", false, 0)]
    [InlineData("a*b", false, 0)]
    public void TryGetLiteralPrefix(string pattern, bool expected, int expectedLength)
    {
        Assert.Equal(expected, GlobMatcher.TryGetLiteralPrefix(B(pattern), out int length));
        Assert.Equal(expectedLength, length);
    }

    [Fact]
    public void Literal_prefix_patterns_match_exactly_the_texts_with_that_prefix()
    {
        var random = new Random(7);
        const string alphabet = "ab]^-";
        for (int i = 0; i < 2000; i++)
        {
            string prefix = RandomString(random, alphabet, 1, 4);
            string text = RandomString(random, alphabet, 0, 6);
            byte[] pattern = B(prefix + "*");
            Assert.True(GlobMatcher.TryGetLiteralPrefix(pattern, out int length));
            Assert.Equal(prefix.Length, length);
            Assert.Equal(text.StartsWith(prefix, StringComparison.Ordinal), GlobMatcher.Match(pattern, B(text)));
        }
    }

    [Fact]
    public void Patterns_without_glob_chars_match_only_themselves()
    {
        var random = new Random(11);
        const string alphabet = "ab]^-\0";
        for (int i = 0; i < 2000; i++)
        {
            string pattern = RandomString(random, alphabet, 0, 4);
            string text = random.Next(3) == 0 ? pattern : RandomString(random, alphabet, 0, 4);
            Assert.False(GlobMatcher.HasGlobChars(B(pattern)));
            Assert.Equal(pattern == text, GlobMatcher.Match(B(pattern), B(text)));
        }
    }

    [Fact]
    public void Random_garbage_never_throws()
    {
        // Like Redis's stringmatchlen_fuzz_test: random bytes of length 0..31 in both positions.
        var random = new Random(3);
        byte[] pattern = new byte[32];
        byte[] text = new byte[32];
        for (int i = 0; i < 200_000; i++)
        {
            int patternLength = random.Next(32);
            int textLength = random.Next(32);
            random.NextBytes(pattern);
            random.NextBytes(text);
            _ = GlobMatcher.Match(pattern.AsSpan(0, patternLength), text.AsSpan(0, textLength), nocase: (i & 1) == 0);
        }
    }

    [Fact]
    public async Task Case_table_agrees_with_redis_KEYS()
    {
        Assert.SkipUnless(redis.IsAvailable, redis.SkipReason ?? "redis-server is not available");
        await using RespClient client = await redis.ConnectAsync(TestContext.Current.CancellationToken);

        // KEYS short-cuts the exact pattern "*" (all keys), so that one row cannot be checked through KEYS.
        var rows = CaseSensitiveCases.Select(row => (Pattern: row.Data.Item1, Text: row.Data.Item2, Expected: row.Data.Item3))
            .Where(row => row.Pattern != "*")
            .ToList();
        var commands = new List<byte[][]>();
        foreach (var (pattern, text, _) in rows)
        {
            commands.Add(["FLUSHALL"u8.ToArray()]);
            commands.Add(["SET"u8.ToArray(), B(text), "1"u8.ToArray()]);
            commands.Add(["KEYS"u8.ToArray(), B(pattern)]);
        }

        IReadOnlyList<RespReply> replies = await client.PipelineAsync(commands, TestContext.Current.CancellationToken);
        for (int i = 0; i < rows.Count; i++)
        {
            RespReply keys = replies[(3 * i) + 2].ThrowIfError();
            Assert.True(
                rows[i].Expected == (keys.Items.Count == 1),
                $"pattern {Show(B(rows[i].Pattern))} text {Show(B(rows[i].Text))}: table says {rows[i].Expected}, redis says {keys}");
        }
    }

    [Fact]
    public async Task Differential_against_redis_KEYS()
    {
        Assert.SkipUnless(redis.IsAvailable, redis.SkipReason ?? "redis-server is not available");
        await using RespClient client = await redis.ConnectAsync(TestContext.Current.CancellationToken);

        var random = new Random(20240607);
        const string alphabet = "ab*?[]^-\\";
        var keys = new HashSet<string>(StringComparer.Ordinal) { "" };
        while (keys.Count < 400)
        {
            keys.Add(RandomString(random, alphabet, 0, 6));
        }

        var patterns = new List<string>();
        for (int i = 0; i < 3000; i++)
        {
            patterns.Add(RandomString(random, alphabet, 0, 8));
        }

        await CompareWithKeysAsync(client, [.. keys.Select(B)], [.. patterns.Select(B)]);
    }

    [Fact]
    public async Task Differential_against_redis_KEYS_with_high_bytes()
    {
        Assert.SkipUnless(redis.IsAvailable, redis.SkipReason ?? "redis-server is not available");
        string os = redis.ServerInfo.TryGetValue("os", out string? value) ? value : "";
        Assert.SkipUnless(
            os.Contains("x86_64", StringComparison.Ordinal) || os.Contains("i686", StringComparison.Ordinal),
            $"C char is only known to be signed on x86; the server reports os '{os}'.");
        await using RespClient client = await redis.ConnectAsync(TestContext.Current.CancellationToken);

        var random = new Random(99);
        const string alphabet = "a[]^-\\*\0\u007f\u0080\u00e9\u00ff";
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (keys.Count < 300)
        {
            keys.Add(RandomString(random, alphabet, 1, 4));
        }

        var patterns = new List<string>();
        for (int i = 0; i < 2000; i++)
        {
            patterns.Add(RandomString(random, alphabet, 1, 6));
        }

        await CompareWithKeysAsync(client, [.. keys.Select(B)], [.. patterns.Select(B)]);
    }

    [Fact]
    public async Task Differential_nocase_against_redis_COMMAND_LIST_FILTERBY_PATTERN()
    {
        Assert.SkipUnless(redis.IsAvailable, redis.SkipReason ?? "redis-server is not available");
        await using RespClient client = await redis.ConnectAsync(TestContext.Current.CancellationToken);

        // COMMAND LIST FILTERBY PATTERN matches command full names with nocase = 1.
        IReadOnlyList<string> names = (await client.CallAsync("COMMAND", "LIST")).GetStrings();
        var random = new Random(5);
        const string alphabet = "eEgGtTcC|*?[]^-\\";
        var patterns = new List<string[]>();
        for (int i = 0; i < 600; i++)
        {
            patterns.Add(["COMMAND", "LIST", "FILTERBY", "PATTERN", RandomString(random, alphabet, 1, 6)]);
        }

        IReadOnlyList<RespReply> replies = await client.PipelineAsync(patterns, TestContext.Current.CancellationToken);
        for (int i = 0; i < patterns.Count; i++)
        {
            string pattern = patterns[i][4];
            var expected = names.Where(n => GlobMatcher.Match(B(pattern), Encoding.ASCII.GetBytes(n), nocase: true))
                .Order(StringComparer.Ordinal).ToList();
            var actual = replies[i].GetStrings().Order(StringComparer.Ordinal).ToList();
            Assert.True(expected.SequenceEqual(actual), $"pattern '{pattern}': expected [{string.Join(' ', expected)}], redis [{string.Join(' ', actual)}]");
        }
    }

    [Fact]
    public async Task Differential_nesting_limit_against_redis()
    {
        Assert.SkipUnless(redis.IsAvailable, redis.SkipReason ?? "redis-server is not available");
        await using RespClient client = await redis.ConnectAsync(TestContext.Current.CancellationToken);
        foreach (int n in new[] { 1001, 1002 })
        {
            byte[] key = Encoding.ASCII.GetBytes(new string('a', n));
            byte[] pattern = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("a*", n)));
            await CompareWithKeysAsync(client, [key], [pattern]);
        }
    }

    /// <summary>Loads <paramref name="keys"/> into an empty database and compares KEYS for every pattern.</summary>
    private static async Task CompareWithKeysAsync(RespClient client, List<byte[]> keys, List<byte[]> patterns)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        (await client.CallAsync("FLUSHALL")).ThrowIfError();
        var mset = new List<byte[]> { "MSET"u8.ToArray() };
        foreach (byte[] key in keys)
        {
            mset.Add(key);
            mset.Add("1"u8.ToArray());
        }

        (await client.CallAsync(mset, ct)).ThrowIfError();
        Assert.Equal(keys.Count, (await client.CallAsync("DBSIZE")).Integer);

        const int batch = 500;
        int compared = 0;
        for (int start = 0; start < patterns.Count; start += batch)
        {
            List<byte[]> slice = patterns.GetRange(start, Math.Min(batch, patterns.Count - start));
            IReadOnlyList<RespReply> replies = await client.PipelineAsync(slice.Select(p => new[] { "KEYS"u8.ToArray(), p }), ct);
            for (int i = 0; i < slice.Count; i++)
            {
                byte[] pattern = slice[i];
                RespReply reply = replies[i].ThrowIfError();
                var actual = reply.Items.Select(item => Convert.ToHexString(item.Bytes!)).ToHashSet(StringComparer.Ordinal);

                // KEYS short-cuts the exact pattern "*" to "all keys" without calling stringmatchlen.
                bool allKeys = pattern is [(byte)'*'];
                var expected = keys.Where(k => allKeys || GlobMatcher.Match(pattern, k))
                    .Select(Convert.ToHexString).ToHashSet(StringComparer.Ordinal);
                Assert.True(
                    expected.SetEquals(actual),
                    $"pattern {Show(pattern)}: only GlobMatcher [{string.Join(", ", expected.Except(actual).Select(Unhex))}], " +
                    $"only Redis [{string.Join(", ", actual.Except(expected).Select(Unhex))}]");
                compared += keys.Count;
            }
        }

        Assert.Equal(patterns.Count * keys.Count, compared);
    }

    private static string Unhex(string hex) => Show(Convert.FromHexString(hex));

    private static string Show(byte[] bytes) =>
        "\"" + string.Concat(bytes.Select(b => b is >= 0x20 and < 0x7F && b != '"' ? ((char)b).ToString() : $"\\x{b:x2}")) + "\"";

    private static string RandomString(Random random, string alphabet, int minLength, int maxLength)
    {
        int length = random.Next(minLength, maxLength + 1);
        var chars = new char[length];
        for (int i = 0; i < length; i++)
        {
            chars[i] = alphabet[random.Next(alphabet.Length)];
        }

        return new string(chars);
    }
}
