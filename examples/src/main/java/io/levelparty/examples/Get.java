package io.levelparty.examples;

/**
 * The seed's getter: prints {@code a=<value>} every 250 ms, whichever putter wrote it last.
 *
 * <p>Usage: {@code Get <dir> [seconds]}; without seconds it runs until stopped.
 */
public final class Get {
    private Get() {}

    public static void main(String[] args) throws InterruptedException {
        Demo.run("get", args, 250, db -> () -> System.out.println("a=" + db.get("a")));
    }
}
