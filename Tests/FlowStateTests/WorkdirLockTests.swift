// WorkdirLockTests: acquiring and releasing, contention with a live second process, stale locks
// after kill -9 and after pid reuse, locks from other hosts, and --unlock.
import Foundation
import XCTest
@testable import FlowState

final class WorkdirLockTests: XCTestCase {
    var workdir = ""
    override func setUpWithError() throws { workdir = try makeWorkdir() }
    override func tearDown() { removeWorkdir(workdir) }

    func testAcquireWritesHolderAndReleaseRemovesIt() throws {
        let lock = try WorkdirLock.acquire(workdir: workdir, runID: "r1")
        XCTAssertEqual(lock.lockFile, workdir + "/.flow/locks/workdir.lock")
        let holder = try XCTUnwrap(WorkdirLock.currentHolder(workdir: workdir))
        XCTAssertEqual(holder, lock.holder)
        XCTAssertEqual(holder.pid, Int(getpid()))
        XCTAssertEqual(holder.runID, "r1")
        XCTAssertEqual(holder.isAlive, true)
        lock.release()
        XCTAssertNil(WorkdirLock.currentHolder(workdir: workdir))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: workdir + "/.flow/locks"), [],
                       "no temp files left behind")
        // Released: can be taken again; deinit releases too.
        do { _ = try WorkdirLock.acquire(workdir: workdir) }
        XCTAssertNil(WorkdirLock.currentHolder(workdir: workdir))
    }

    func testSecondAcquireInSameProcessIsRefused() throws {
        let lock = try WorkdirLock.acquire(workdir: workdir)
        XCTAssertThrowsError(try WorkdirLock.acquire(workdir: workdir)) { error in
            guard case .locked(_, _, let holder)? = error as? StateError else { return XCTFail("\(error)") }
            XCTAssertEqual(holder.pid, Int(getpid()))
        }
        lock.release()
    }

    func testLiveOtherProcessHoldsLockThenKill9LeavesStaleLockThenUnlock() throws {
        let child = try ChildProcess(role: .holdLock, workdir: workdir)
        try child.waitUntilReady()

        XCTAssertThrowsError(try WorkdirLock.acquire(workdir: workdir)) { error in
            guard case .locked(_, _, let holder)? = error as? StateError else { return XCTFail("\(error)") }
            XCTAssertEqual(holder.pid, child.pid)
            XCTAssertEqual(holder.runID, "child-run")
            let text = String(describing: error)
            XCTAssertTrue(text.contains("pid \(child.pid) on \(ProcessIdentity.hostName), started 20"), text)
            XCTAssertTrue(text.contains(workdir), text)
        }

        child.kill9()
        XCTAssertThrowsError(try WorkdirLock.acquire(workdir: workdir)) { error in
            guard case .staleLock(_, _, let holder)? = error as? StateError else { return XCTFail("\(error)") }
            XCTAssertEqual(holder.pid, child.pid)
            let text = String(describing: error)
            XCTAssertTrue(text.hasPrefix("Directory cannot be locked."), text)
            XCTAssertTrue(text.contains("--unlock"), text)
            XCTAssertTrue(text.contains("no longer running"), text)
        }

        let removed = try WorkdirLock.unlock(workdir: workdir)
        XCTAssertEqual(removed?.pid, child.pid)
        let lock = try WorkdirLock.acquire(workdir: workdir)
        lock.release()
    }

    func testDeadPidOnThisHostIsStale() throws {
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        try writeLock(LockHolder(pid: Int(finished.processIdentifier), host: ProcessIdentity.hostName, startTime: 1))
        assertStale()
    }

    func testReusedPidIsStale() throws {
        // Our own pid is alive, but a process that started at tick 1 is not us.
        var holder = LockHolder(pid: Int(getpid()), host: ProcessIdentity.hostName, startTime: 1)
        holder.processStartTicks = 1
        try writeLock(holder)
        assertStale()
    }

    func testLockFromBeforeRebootIsStale() throws {
        guard ProcessIdentity.bootID != nil else { throw XCTSkip("no boot id on this system") }
        var holder = LockHolder(pid: Int(getpid()), host: ProcessIdentity.hostName, startTime: 1)
        holder.bootID = "00000000-0000-0000-0000-000000000000"
        try writeLock(holder)
        assertStale()
    }

    func testForeignLockFileIsDescribedAsNotWrittenByFlow() throws {
        try FileManager.default.createDirectory(atPath: WorkdirLock.lockDirectory(forWorkdir: workdir),
                                                withIntermediateDirectories: true)
        for (contents, shown) in [("", "it is empty"), ("garbage\n", "it holds \"garbage\"")] {
            _ = FileManager.default.createFile(atPath: WorkdirLock.lockFile(forWorkdir: workdir), contents: Data(contents.utf8))
            XCTAssertThrowsError(try WorkdirLock.acquire(workdir: workdir)) { error in
                guard case .unreadableLock? = error as? StateError else { return XCTFail("\(error)") }
                let text = String(describing: error)
                XCTAssertTrue(text.contains("was not written by flow (\(shown))"), text)
                XCTAssertTrue(text.contains("--unlock"), text)
                XCTAssertFalse(text.contains("pid 0") || text.contains("1970"), text)
            }
        }
    }

    func testStaleLockIsTakenOverOnceAndALiveOneNever() throws {
        let child = try ChildProcess(role: .holdLock, workdir: workdir)
        try child.waitUntilReady()
        let live = try XCTUnwrap(WorkdirLock.currentHolder(workdir: workdir))
        // A holder that runs: taking over is refused.
        XCTAssertThrowsError(try WorkdirLock.takeOver(workdir: workdir, stale: live)) { error in
            guard case .locked? = error as? StateError else { return XCTFail("\(error)") }
        }
        child.kill9()
        var stale: LockHolder?
        XCTAssertThrowsError(try WorkdirLock.acquire(workdir: workdir)) { error in
            guard case .staleLock(_, _, let holder)? = error as? StateError else { return XCTFail("\(error)") }
            stale = holder
        }
        let lock = try WorkdirLock.takeOver(workdir: workdir, stale: try XCTUnwrap(stale), runID: "new-run")
        XCTAssertEqual(WorkdirLock.currentHolder(workdir: workdir)?.runID, "new-run")
        // A second taker that saw the same stale lock finds ours, which is alive.
        XCTAssertThrowsError(try WorkdirLock.takeOver(workdir: workdir, stale: try XCTUnwrap(stale))) { error in
            guard case .locked(_, _, let holder)? = error as? StateError else { return XCTFail("\(error)") }
            XCTAssertEqual(holder.runID, "new-run")
        }
        lock.release()
    }

    func testUnlockRefusesALiveHolderUnlessForced() throws {
        let child = try ChildProcess(role: .holdLock, workdir: workdir)
        try child.waitUntilReady()
        XCTAssertThrowsError(try WorkdirLock.unlock(workdir: workdir)) { error in
            guard case .unlockRefused(_, _, let holder)? = error as? StateError else { return XCTFail("\(error)") }
            XCTAssertEqual(holder.pid, child.pid)
            let text = String(describing: error)
            XCTAssertTrue(text.contains("still running (pid \(child.pid) on "), text)
            XCTAssertTrue(text.contains("--force-unlock"), text)
        }
        XCTAssertEqual(WorkdirLock.currentHolder(workdir: workdir)?.pid, child.pid, "the lock stays")
        XCTAssertEqual(try WorkdirLock.unlock(workdir: workdir, force: true)?.pid, child.pid)
        XCTAssertNil(WorkdirLock.currentHolder(workdir: workdir))
        child.kill9()
    }

    func testLockFromAnotherHostCannotBeCheckedAndStaysHeld() throws {
        try writeLock(LockHolder(pid: 1234, host: "some-other-node", startTime: 1_732_000_000, runID: "r9"))
        XCTAssertThrowsError(try WorkdirLock.acquire(workdir: workdir)) { error in
            guard case .locked(_, _, let holder)? = error as? StateError else { return XCTFail("\(error)") }
            XCTAssertNil(holder.isAlive)
            let text = String(describing: error)
            XCTAssertTrue(text.contains("pid 1234 on some-other-node, started 2024-11-19 07:06:40 UTC, run r9"), text)
            XCTAssertTrue(text.contains("--unlock"), text)
        }
        XCTAssertEqual(try WorkdirLock.unlock(workdir: workdir)?.host, "some-other-node")
        XCTAssertNil(try WorkdirLock.unlock(workdir: workdir), "unlocking an unlocked directory is fine")
    }

    func testReleaseLeavesAnotherProcessesLockAlone() throws {
        let lock = try WorkdirLock.acquire(workdir: workdir)
        // --unlock --force-unlock by a user, then another flow took the directory.
        try WorkdirLock.unlock(workdir: workdir, force: true)  // our own live lock: forced
        let other = LockHolder(pid: 1, host: "elsewhere", startTime: 2)
        try writeLock(other)
        lock.release()
        XCTAssertEqual(WorkdirLock.currentHolder(workdir: workdir), other)
    }

    private func writeLock(_ holder: LockHolder) throws {
        try FileManager.default.createDirectory(atPath: WorkdirLock.lockDirectory(forWorkdir: workdir),
                                                withIntermediateDirectories: true)
        try holder.fileContents.write(toFile: WorkdirLock.lockFile(forWorkdir: workdir), atomically: true, encoding: .utf8)
    }

    private func assertStale(file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try WorkdirLock.acquire(workdir: workdir), file: file, line: line) { error in
            guard case .staleLock? = error as? StateError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertTrue(String(describing: error).contains("--unlock"), file: file, line: line)
        }
    }
}
