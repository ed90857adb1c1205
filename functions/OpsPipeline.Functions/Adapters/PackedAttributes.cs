using System.Buffers;
using System.IO.Compression;
using System.Text;
using Amazon.DynamoDBv2.Model;

namespace OpsPipeline.Functions.Adapters;

/// <summary>
/// An item's attributes that no request names (no key, index, TTL or condition reads them) packed into one binary
/// attribute: a small tagged encoding of the attribute values, Brotli-compressed. DynamoDB bills writes per KB of
/// item, and the names and repeated text of an alert's history are most of its size.
/// </summary>
/// <remarks>
/// Layout of the attribute: one format byte, then the Brotli stream of the attribute map (count, then name and value
/// of each). A value is a tag byte and its payload: a string or number as its UTF-8 length (7-bit encoded) and bytes,
/// a list as its count and values, a map as its count and name-value pairs; booleans and null are the tag alone.
/// </remarks>
internal static class PackedAttributes
{
    /// <summary>The attribute that holds the packed ones.</summary>
    public const string Name = "b";

    private const byte Format = 1;

    /// <summary>
    /// Brotli quality and window. Measured on a storm alert item (3.3 KB unpacked): quality 5 packs it to 1044 bytes in
    /// about 30 µs; 10 and 11 save 7% more for 1.5 to 3.5 ms of CPU per write (the storm: 2.03 table write units per event
    /// at 11, 2.38 at 5, as about half its items stay just over 1 KB). The item is a few KB: a 256 KB window is plenty.
    /// </summary>
    private const int Quality = 5;
    private const int Window = 18;

    /// <summary>More than DynamoDB's 400 KB item, many times compressed: what a packed attribute never unpacks to.</summary>
    private const int MaxUnpacked = 16 * 1024 * 1024;

    private enum Tag : byte
    {
        String = 1,
        Number = 2,
        True = 3,
        False = 4,
        Null = 5,
        List = 6,
        Map = 7,
    }

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The item with every attribute except <paramref name="named"/> moved into <see cref="Name"/>. Values are strings,
    /// numbers, booleans, nulls, lists and maps (what the adapters write); another type is a programming error.
    /// </summary>
    public static Dictionary<string, AttributeValue> Pack(Dictionary<string, AttributeValue> item, IReadOnlySet<string> named)
    {
        var packed = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
        var rest = new List<KeyValuePair<string, AttributeValue>>(item.Count);
        foreach (var attribute in item)
        {
            if (named.Contains(attribute.Key))
            {
                packed[attribute.Key] = attribute.Value;
            }
            else
            {
                rest.Add(attribute);
            }
        }

        var writer = new Writer();
        writer.Count(rest.Count);
        foreach (var (name, value) in rest)
        {
            writer.Text(name);
            writer.Value(value);
        }

        var raw = writer.Output;
        var compressed = new byte[1 + BrotliEncoder.GetMaxCompressedLength(raw.WrittenCount)];
        compressed[0] = Format;
        if (!BrotliEncoder.TryCompress(raw.WrittenSpan, compressed.AsSpan(1), out var written, Quality, Window))
        {
            throw new InvalidOperationException("Brotli could not compress the packed attributes into its own bound");
        }

        packed[Name] = new AttributeValue { B = new MemoryStream(compressed, 0, 1 + written, writable: false, publiclyVisible: true) };
        return packed;
    }

    /// <summary>
    /// The item as written before packing: its named attributes and the packed ones (a packed attribute never
    /// shadows a named one). An item without <see cref="Name"/> (written before packing) is returned as it is.
    /// </summary>
    /// <exception cref="InvalidDataException">The packed attribute does not decompress or parse; the message names the item's key.</exception>
    public static Dictionary<string, AttributeValue> Unpack(Dictionary<string, AttributeValue> item)
    {
        if (!item.TryGetValue(Name, out var packed))
        {
            return item;
        }

        Dictionary<string, AttributeValue> rest;
        try
        {
            rest = Read(packed.B is { } stream ? stream.ToArray() : throw new InvalidDataException("it is not a binary value"));
        }
        catch (Exception e) when (e is InvalidDataException or DecoderFallbackException)
        {
            throw new InvalidDataException($"item {KeyText(item)}: attribute '{Name}' is not a packed attribute set ({e.Message})", e);
        }

        var unpacked = new Dictionary<string, AttributeValue>(rest, StringComparer.Ordinal);
        foreach (var (name, value) in item)
        {
            if (name != Name)
            {
                unpacked[name] = value;
            }
        }

        return unpacked;
    }

    /// <summary>The item's key as an operator would look it up: pk and sk.</summary>
    public static string KeyText(Dictionary<string, AttributeValue> item) =>
        $"(pk={(item.TryGetValue(TableSchema.PartitionKey, out var pk) ? pk.S : "?")}, sk={(item.TryGetValue(TableSchema.SortKey, out var sk) ? sk.S : "?")})";

    private static Dictionary<string, AttributeValue> Read(byte[] bytes)
    {
        if (bytes.Length == 0 || bytes[0] != Format)
        {
            throw new InvalidDataException(bytes.Length == 0 ? "it is empty" : $"unknown format {bytes[0]}");
        }

        var raw = new ArrayBufferWriter<byte>(4 * bytes.Length);
        using (var decoder = new BrotliDecoder())
        {
            var source = bytes.AsSpan(1);
            var status = OperationStatus.DestinationTooSmall;
            while (status == OperationStatus.DestinationTooSmall)
            {
                status = decoder.Decompress(source, raw.GetSpan(8192), out var consumed, out var written);
                source = source[consumed..];
                raw.Advance(written);
                if (raw.WrittenCount > MaxUnpacked)
                {
                    throw new InvalidDataException($"it unpacks to more than {MaxUnpacked} bytes");
                }
            }

            if (status != OperationStatus.Done || !source.IsEmpty)
            {
                throw new InvalidDataException(status switch
                {
                    OperationStatus.NeedMoreData => "its Brotli stream is cut short",
                    OperationStatus.Done => "bytes left after its Brotli stream",
                    _ => "it is not a Brotli stream",
                });
            }
        }

        var reader = new SpanReader(raw.WrittenSpan);
        var count = reader.Count();
        var attributes = new Dictionary<string, AttributeValue>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var name = reader.Text();
            attributes[name] = reader.Value(depth: 0);
        }

        if (!reader.AtEnd)
        {
            throw new InvalidDataException("bytes left after its last attribute");
        }

        return attributes;
    }

    /// <summary>Writes attribute values in the packed encoding; times as distances from the previous time written.</summary>
    private sealed class Writer
    {
        public ArrayBufferWriter<byte> Output { get; } = new(2048);

        public void Value(AttributeValue value)
        {
            if (value.S is { } s)
            {
                Tag(PackedAttributes.Tag.String);
                Text(s);
            }
            else if (value.N is { } n)
            {
                Tag(PackedAttributes.Tag.Number);
                Text(n);
            }
            else if (value.BOOL is { } b)
            {
                Tag(b ? PackedAttributes.Tag.True : PackedAttributes.Tag.False);
            }
            else if (value.NULL == true)
            {
                Tag(PackedAttributes.Tag.Null);
            }
            else if (value.L is { } list)
            {
                Tag(PackedAttributes.Tag.List);
                Count(list.Count);
                foreach (var element in list)
                {
                    Value(element);
                }
            }
            else if (value.M is { } map)
            {
                Tag(PackedAttributes.Tag.Map);
                Count(map.Count);
                foreach (var (name, element) in map)
                {
                    Text(name);
                    Value(element);
                }
            }
            else
            {
                throw new NotSupportedException("a packed attribute holds strings, numbers, booleans, nulls, lists and maps only");
            }
        }

        public void Count(int count) => Unsigned((uint)count);

        public void Text(string text)
        {
            var length = Utf8.GetByteCount(text);
            Count(length);
            Output.Advance(Utf8.GetBytes(text, Output.GetSpan(length)));
        }

        private void Tag(Tag tag)
        {
            Output.GetSpan(1)[0] = (byte)tag;
            Output.Advance(1);
        }

        private void Unsigned(uint v)
        {
            var span = Output.GetSpan(5);
            var i = 0;
            while (v >= 0x80)
            {
                span[i++] = (byte)(v | 0x80);
                v >>= 7;
            }

            span[i++] = (byte)v;
            Output.Advance(i);
        }
    }

    /// <summary>Reads what <see cref="Writer"/> wrote; any inconsistency is an <see cref="InvalidDataException"/>.</summary>
    private ref struct SpanReader(ReadOnlySpan<byte> bytes)
    {
        /// <summary>Deeper than any item the adapters write (DynamoDB allows 32 levels).</summary>
        private const int MaxDepth = 32;

        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _at;

        public readonly bool AtEnd => _at == _bytes.Length;

        /// <summary>A count or length: never more than the bytes left (each element takes at least one).</summary>
        public int Count()
        {
            var v = Unsigned();
            return v <= (uint)(_bytes.Length - _at) ? (int)v : throw new InvalidDataException($"a length of {v} at byte {_at} runs past its end");
        }

        private uint Unsigned()
        {
            uint v = 0;
            for (var shift = 0; shift < 35; shift += 7)
            {
                var b = Byte();
                v |= (uint)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return v;
                }
            }

            throw new InvalidDataException($"a malformed number at byte {_at}");
        }

        public string Text()
        {
            var length = Count();
            var text = Utf8.GetString(_bytes.Slice(_at, length));
            _at += length;
            return text;
        }

        public AttributeValue Value(int depth)
        {
            if (depth > MaxDepth)
            {
                throw new InvalidDataException($"values nested deeper than {MaxDepth}");
            }

            var tag = (Tag)Byte();
            switch (tag)
            {
                case Tag.String:
                    return new AttributeValue { S = Text() };
                case Tag.Number:
                    return new AttributeValue { N = Text() };

                case Tag.True or Tag.False:
                    return new AttributeValue { BOOL = tag == Tag.True };
                case Tag.Null:
                    return new AttributeValue { NULL = true };
                case Tag.List:
                {
                    var count = Count();
                    var list = new List<AttributeValue>(count);
                    for (var i = 0; i < count; i++)
                    {
                        list.Add(Value(depth + 1));
                    }

                    return new AttributeValue { L = list };
                }

                case Tag.Map:
                {
                    var count = Count();
                    var map = new Dictionary<string, AttributeValue>(count, StringComparer.Ordinal);
                    for (var i = 0; i < count; i++)
                    {
                        var name = Text();
                        map[name] = Value(depth + 1);
                    }

                    return new AttributeValue { M = map };
                }

                default:
                    throw new InvalidDataException($"unknown value tag {(byte)tag} at byte {_at - 1}");
            }
        }

        private byte Byte() => _at < _bytes.Length ? _bytes[_at++] : throw new InvalidDataException("it ends inside a value");
    }
}
