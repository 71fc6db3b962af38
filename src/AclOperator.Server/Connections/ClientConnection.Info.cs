using System.Globalization;
using System.Text;

namespace AclOperator.Server.Connections;

/// <summary>CLIENT LIST / CLIENT INFO line, in Redis 7.4's field order (networking.c catClientInfoString).</summary>
internal sealed partial class ClientConnection
{
    public string ClientInfo()
    {
        long now = _ctx.NowMs;
        var flags = new StringBuilder();
        if (IsPubSub)
        {
            flags.Append('P');
        }

        if (_inMulti)
        {
            flags.Append('x');
        }

        if (Blocked)
        {
            flags.Append('b');
        }

        if (_closing)
        {
            flags.Append('A');
        }

        if (IsUnixSocket)
        {
            flags.Append('U');
        }

        if (NoEvict)
        {
            flags.Append('e');
        }

        if (NoTouch)
        {
            flags.Append('T');
        }

        if (flags.Length == 0)
        {
            flags.Append('N');
        }

        var (sub, psub, ssub) = SubscriptionCounts;
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder(256);
        sb.Append("id=").Append(Id.ToString(ci))
          .Append(" addr=").Append(Address)
          .Append(" laddr=").Append(LocalAddress)
          .Append(" fd=").Append((Id + 7).ToString(ci))
          .Append(" name=").Append(Name ?? "")
          .Append(" age=").Append(((now - CreatedAt) / 1000).ToString(ci))
          .Append(" idle=").Append(((now - LastInteractionMs) / 1000).ToString(ci))
          .Append(" flags=").Append(flags)
          .Append(" db=").Append(Db.ToString(ci))
          .Append(" sub=").Append(sub.ToString(ci))
          .Append(" psub=").Append(psub.ToString(ci))
          .Append(" ssub=").Append(ssub.ToString(ci))
          .Append(" multi=").Append((_inMulti ? _queue.Count : -1).ToString(ci))
          .Append(" watch=").Append(_watching ? "1" : "0")
          .Append(" qbuf=0 qbuf-free=0 argv-mem=0")
          .Append(" multi-mem=").Append(_queueBytes.ToString(ci))
          .Append(" rbs=4096 rbp=0 obl=0 oll=0")
          .Append(" omem=").Append(_out.Pending.ToString(ci))
          .Append(" tot-mem=").Append((4096 + _out.Pending + _queueBytes).ToString(ci))
          .Append(" events=r")
          .Append(" cmd=").Append(LastCommand)
          .Append(" user=").Append(_userName)
          .Append(" redir=-1")
          .Append(" resp=").Append(Protocol.ToString(ci))
          .Append(" lib-name=").Append(LibName ?? "")
          .Append(" lib-ver=").Append(LibVersion ?? "");
        return sb.ToString();
    }
}
