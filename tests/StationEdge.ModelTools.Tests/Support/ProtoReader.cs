using System.Text;

namespace StationEdge.ModelTools.Tests.Support;

/// <summary>Splits protobuf bytes into fields, so tests can check what the ONNX writer put on the wire.</summary>
internal static class ProtoReader
{
    public sealed record Field(int Number, int WireType, ulong Varint, byte[] Bytes)
    {
        public string Text => Encoding.UTF8.GetString(Bytes);

        public IReadOnlyList<Field> Message => Parse(Bytes);
    }

    public static IReadOnlyList<Field> Parse(ReadOnlySpan<byte> data)
    {
        var fields = new List<Field>();
        int p = 0;
        while (p < data.Length)
        {
            ulong key = ReadVarint(data, ref p);
            int number = (int)(key >> 3);
            int wire = (int)(key & 7);
            switch (wire)
            {
                case 0:
                    fields.Add(new Field(number, wire, ReadVarint(data, ref p), []));
                    break;
                case 2:
                    int length = (int)ReadVarint(data, ref p);
                    fields.Add(new Field(number, wire, 0, data.Slice(p, length).ToArray()));
                    p += length;
                    break;
                case 5:
                    fields.Add(new Field(number, wire, 0, data.Slice(p, 4).ToArray()));
                    p += 4;
                    break;
                default:
                    throw new InvalidDataException($"wire type {wire} at byte {p}");
            }
        }

        return fields;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int p)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = data[p++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
