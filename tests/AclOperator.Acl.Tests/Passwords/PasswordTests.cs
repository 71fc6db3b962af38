using System.Text;
using AclOperator.Acl.Passwords;
using Xunit;

namespace AclOperator.Acl.Tests.Passwords;

public sealed class PasswordTests
{
    [Theory]
    [InlineData("password", "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8")]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("foobar", "c3ab8ff13720e8ad9047dd39466b3c8974e592c2fa383d4a3960714caef0c4f2")]
    public void Hash_is_lowercase_hex_sha256(string password, string expected)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(password);
        Assert.Equal(expected, PasswordHasher.Hash(bytes));

        Span<char> chars = stackalloc char[64];
        PasswordHasher.Hash(bytes, chars);
        Assert.Equal(expected, chars.ToString());

        Span<byte> utf8 = stackalloc byte[64];
        PasswordHasher.HashToUtf8(bytes, utf8);
        Assert.Equal(expected, Encoding.ASCII.GetString(utf8));

        Assert.Equal(expected, Convert.ToHexStringLower(PasswordHasher.HashToBytes(bytes)));
        Assert.True(PasswordHasher.IsValidHash(expected));
        Assert.True(PasswordHasher.IsValidHash(Encoding.ASCII.GetBytes(expected)));
    }

    [Fact]
    public void Hash_is_binary_safe()
    {
        byte[] withNul = [0x61, 0x00, 0x62];
        Assert.NotEqual(PasswordHasher.Hash("a"u8), PasswordHasher.Hash(withNul));
        Assert.Equal(PasswordHasher.Hash(withNul), PasswordHasher.Hash([0x61, 0x00, 0x62]));
    }

    [Fact]
    public void Span_overloads_reject_short_destinations()
    {
        Assert.Throws<ArgumentException>(() => PasswordHasher.Hash("x"u8, new char[63]));
        Assert.Throws<ArgumentException>(() => PasswordHasher.HashToUtf8("x"u8, new byte[63]));
    }

    public static TheoryData<string> InvalidHashes => new()
    {
        "",
        new string('a', 63),
        new string('a', 65),
        "5E884898DA28047151D0E56F8DC6292773603D0D6AABBDD62A11EF721D1542D8", // uppercase is rejected
        "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542dG",
        "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d ",
        "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542dg",
        "#5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d",
        "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542\u00e9a",
    };

    [Theory]
    [MemberData(nameof(InvalidHashes))]
    public void IsValidHash_rejects(string hex)
    {
        Assert.False(PasswordHasher.IsValidHash(hex));
        Assert.False(PasswordHasher.IsValidHash(Encoding.UTF8.GetBytes(hex)));
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")]
    public void IsValidHash_accepts(string hex) => Assert.True(PasswordHasher.IsValidHash(hex));

    [Fact]
    public void FixedTimeEquals_compares_whole_strings()
    {
        string a = PasswordHasher.Hash("password"u8);
        Assert.True(PasswordHasher.FixedTimeEquals(a, new string(a.AsSpan())));
        Assert.False(PasswordHasher.FixedTimeEquals(a, PasswordHasher.Hash("Password"u8)));
        Assert.False(PasswordHasher.FixedTimeEquals(a, a[..63]));
        Assert.False(PasswordHasher.FixedTimeEquals(a, a.ToUpperInvariant()));
        Assert.True(PasswordHasher.FixedTimeEquals("", ""));
        Assert.Throws<ArgumentNullException>(() => PasswordHasher.FixedTimeEquals(null!, a));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(4, 1)]
    [InlineData(5, 2)]
    [InlineData(8, 2)]
    [InlineData(255, 64)]
    [InlineData(256, 64)]
    [InlineData(257, 65)]
    [InlineData(4095, 1024)]
    [InlineData(4096, 1024)]
    public void Generate_emits_ceil_bits_over_4_hex_chars(int bits, int expectedLength)
    {
        string password = PasswordGenerator.Generate(bits);
        Assert.Equal(expectedLength, password.Length);
        Assert.Equal(expectedLength, PasswordGenerator.CharCount(bits));
        Assert.All(password, c => Assert.Contains(c, "0123456789abcdef"));
    }

    [Fact]
    public void Generate_defaults_to_256_bits()
    {
        string password = PasswordGenerator.Generate();
        Assert.Equal(64, password.Length);
        Assert.True(PasswordHasher.IsValidHash(password)); // 64 lowercase hex: same shape as a hash
    }

    [Fact]
    public void Generate_is_random()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < 200; i++)
        {
            Assert.True(seen.Add(PasswordGenerator.Generate()));
        }

        // Every hex digit shows up across a few thousand characters.
        string many = string.Concat(Enumerable.Range(0, 20).Select(_ => PasswordGenerator.Generate(4096)));
        Assert.Equal("0123456789abcdef", new string(many.Distinct().Order().ToArray()));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(4097)]
    [InlineData(int.MinValue)]
    [InlineData(int.MaxValue)]
    public void Generate_rejects_out_of_range_bits(int bits)
    {
        Assert.False(PasswordGenerator.IsValidBits(bits));
        ArgumentOutOfRangeException ex = Assert.Throws<ArgumentOutOfRangeException>(() => PasswordGenerator.Generate(bits));
        Assert.Equal("bits", ex.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => PasswordGenerator.CharCount(bits));
    }

    [Fact]
    public void Error_text_matches_redis()
    {
        Assert.Equal(
            "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096",
            PasswordGenerator.InvalidBitsError);
        Assert.True(PasswordGenerator.IsValidBits(1));
        Assert.True(PasswordGenerator.IsValidBits(4096));
        Assert.False(PasswordGenerator.IsValidBits(4097L));
    }
}
