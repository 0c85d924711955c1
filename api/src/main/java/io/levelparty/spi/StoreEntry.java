package io.levelparty.spi;

/**
 * A key and its value, as bytes. Arrays passed to and returned from a {@link PartyStore} belong to
 * the receiver: neither side modifies them afterwards.
 */
public record StoreEntry(byte[] key, byte[] value) {}
