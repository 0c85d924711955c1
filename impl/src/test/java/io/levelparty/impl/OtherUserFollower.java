package io.levelparty.impl;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import java.nio.file.Path;

/**
 * The main class of a follower run as another user by {@link AllowedUserTest}: opens the directory
 * in {@code args[0]}, trusting the leader's user id {@code args[1]}, writes and reads a key, and
 * prints what it saw.
 */
public final class OtherUserFollower {
    private OtherUserFollower() {}

    public static void main(String[] args) {
        PartyOptions<String> options = PartyOptions.of(Codecs.utf8()).allowUid(Integer.parseInt(args[1]));
        try (PartyMap<String> map = LevelParty.open(Path.of(args[0]), options)) {
            map.put("from-other-user", "hello");
            System.out.println(map.role() + " " + map.get("from-leader") + " " + map.get("from-other-user"));
        }
    }
}
