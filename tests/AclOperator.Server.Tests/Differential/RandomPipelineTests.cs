using System.Globalization;
using Xunit;

namespace AclOperator.Server.Tests.Differential;

/// <summary>
/// E6: a seeded 500-command pipeline of random local and forwarded commands, sent as one write, gives the same reply
/// stream on real redis-server and on our server + Garnet (ids excepted).
/// </summary>
/// <remarks>
/// Only commands whose replies Garnet produces exactly as Redis does are generated. Left out on purpose (Garnet vs
/// Redis differences, not enforcement): HGETALL/SMEMBERS with several members (Garnet's iteration order differs from
/// Redis's listpack order), TTL/PTTL (timing), OBJECT/MEMORY (encodings), and CLIENT REPLY (see
/// <see cref="DifferentialSessionTests.ClientReplySkipOffOn"/>).
/// </remarks>
public sealed class RandomPipelineTests(DifferentialFixture fixture) : IClassFixture<DifferentialFixture>
{
    [Theory]
    [InlineData(20240601)]
    [InlineData(7)]
    public async Task RandomPipelineOf500Commands_SameReplyStream(int seed)
    {
        fixture.RequireRedis();
        var session = Generate(seed, 500);
        await Differential.AssertSameAsync(fixture, session);
    }

    [Theory]
    [InlineData(99)]
    public async Task RandomPipelineInRandomChunks_SameReplyStream(int seed)
    {
        fixture.RequireRedis();
        var session = Generate(seed, 300, chunked: true);
        await Differential.AssertSameAsync(fixture, session);
    }

    internal static DiffSession Generate(int seed, int count, bool chunked = false)
    {
        var rng = new Random(seed);
        string p = "e6:" + seed.ToString(CultureInfo.InvariantCulture) + ":";
        var s = new DiffSession($"e6-seed-{seed}");
        var all = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            all.AddRange([$"{p}s{i}", $"{p}n{i}", $"{p}l{i}", $"{p}h{i}", $"{p}z{i}"]);
        }

        s.Cmd(["DEL", .. all]);
        int emitted = 0;
        while (emitted < count)
        {
            emitted += Emit(s, rng, p, all, allowMulti: true);
            if (chunked && rng.Next(8) == 0)
            {
                s.Flush();
            }
        }

        return s;
    }

    private static string Word(Random rng) => rng.Next(6) switch
    {
        0 => string.Empty,
        1 => "x y",
        2 => rng.Next(-5, 50).ToString(CultureInfo.InvariantCulture),
        _ => new string((char)('a' + rng.Next(26)), rng.Next(1, 6)),
    };

    /// <summary>Appends one command (or a small MULTI block) and returns how many commands it sent.</summary>
    private static int Emit(DiffSession s, Random rng, string p, List<string> all, bool allowMulti)
    {
        string str = $"{p}s{rng.Next(4)}";
        string num = $"{p}n{rng.Next(4)}";
        string list = $"{p}l{rng.Next(4)}";
        string hash = $"{p}h{rng.Next(4)}";
        string set = $"{p}z{rng.Next(4)}";
        string n() => rng.Next(-3, 20).ToString(CultureInfo.InvariantCulture);
        switch (rng.Next(allowMulti ? 36 : 35))
        {
            // Local commands.
            case 0: s.Cmd("ECHO", Word(rng)); return 1;
            case 1: s.Cmd("PING"); return 1;
            case 2: s.Cmd("PING", Word(rng)); return 1;
            case 3: s.Cmd("ACL", "WHOAMI"); return 1;
            case 4: s.Cmd("CLIENT", "GETNAME"); return 1;
            case 5: s.Cmd("CLIENT", "SETNAME", rng.Next(3) == 0 ? string.Empty : "c" + n()); return 1;
            case 6: s.ClientId(); return 2;
            case 7: s.Cmd("NOSUCH" + rng.Next(3).ToString(CultureInfo.InvariantCulture), Word(rng)); return 1;
            case 8: s.Cmd("GET"); return 1;
            case 9: s.Cmd("CLIENT", "NOSUCH"); return 1;
            case 10: s.Cmd("ACL", "DRYRUN", "default", "GET", str); return 1;
            case 11: s.Inline("ECHO " + (rng.Next(2) == 0 ? "'q w'" : "plain")); return 1;

            // Forwarded commands.
            case 12: s.Cmd("SET", str, Word(rng)); return 1;
            case 13: s.Cmd("GET", rng.Next(2) == 0 ? str : num); return 1;
            case 14: s.Cmd("APPEND", str, Word(rng)); return 1;
            case 15: s.Cmd("STRLEN", str); return 1;
            case 16: s.Cmd("INCR", num); return 1;
            case 17: s.Cmd("INCRBY", num, n()); return 1;
            case 18: s.Cmd("DECR", num); return 1;
            case 19: s.Cmd("DEL", all[rng.Next(all.Count)], all[rng.Next(all.Count)]); return 1;
            case 20: s.Cmd("EXISTS", all[rng.Next(all.Count)], str); return 1;
            case 21: s.Cmd("MGET", str, num, $"{p}none"); return 1;
            case 22: s.Cmd("MSET", str, Word(rng), $"{p}s{rng.Next(4)}", Word(rng)); return 1;
            case 23: s.Cmd("RPUSH", list, Word(rng), Word(rng)); return 1;
            case 24: s.Cmd("LPUSH", list, Word(rng)); return 1;
            case 25: s.Cmd("LRANGE", list, "0", "-1"); return 1;
            case 26: s.Cmd("LLEN", list); return 1;
            case 27: s.Cmd("LPOP", list); return 1;
            case 28: s.Cmd("HSET", hash, "f" + rng.Next(3).ToString(CultureInfo.InvariantCulture), Word(rng)); return 1;
            case 29: s.Cmd("HGET", hash, "f" + rng.Next(3).ToString(CultureInfo.InvariantCulture)); return 1;
            case 30: s.Cmd("HLEN", hash); return 1;
            case 31: s.Cmd("SADD", set, Word(rng)); return 1;
            case 32: s.Cmd("SCARD", set); return 1;
            case 33: s.Cmd("GETRANGE", str, n(), n()); return 1;
            case 34: s.Cmd("SISMEMBER", set, Word(rng)); return 1;
            default:
            {
                s.Cmd("MULTI");
                int sent = 1;
                int inner = rng.Next(0, 4);
                for (int i = 0; i < inner; i++)
                {
                    sent += Emit(s, rng, p, all, allowMulti: false);
                }

                s.Cmd(rng.Next(6) == 0 ? "DISCARD" : "EXEC");
                return sent + 1;
            }
        }
    }
}
