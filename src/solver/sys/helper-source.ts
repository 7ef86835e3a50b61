// The Perl source of the system helper (sys-helper.ts runs it with `perl -e`): a loop that
// reads framed requests on stdin, does each with raw syscalls (no child processes) and
// writes one framed reply per request on stdout. Requests run one at a time, so the chdir
// before a mount cannot race another request. Kept to plain Perl 5.8 with no modules, so
// it needs only perl-base (Essential on Debian) and starts in a few milliseconds.
//
// Frames (integers u32 little-endian):
//   request  = len, id, op (u8), then arguments, each len + bytes
//   reply    = len, id, errno (0: success), then op-specific bytes (for errors: a message)
// Ops:
//   1 mount(cwd, source, target, fstype, flags, data)   chdir(cwd) first; back to / after
//   2 umount2(target, flags)
//   3 xattr dump(path, name pattern, recursive): per entry with xattrs: path, count,
//     then name, value pairs (names sorted bytewise, like getfattr); lstat walk, symlinks
//     not followed, parents before children
//   4 lsetxattr(path, name, value)*: all are tried, the first failure is reported
//   5 mknodat(AT_FDCWD, path, mode, makedev(major, minor)); the umask is 0, so mode is exact
//   6 spawn(cwd, umask (octal), env count, env..., path, argv...): fork and exec with stdin
//     /dev/null, stdout and stderr on pipes, default signal dispositions; a failed exec is
//     replied at once (its errno). Output comes as event frames (errno 0xFFFFFFFF, payload:
//     stream 1|2, bytes) under the request's id; the reply (exit code u32, signal u32) once
//     the process has exited and both pipes are closed. The helper waits in select(2) for
//     requests and output alike, so a running process never holds up other requests.
//   7 FS_TOPDIR_FL on a directory (ext4's Orlov hint, chattr +T; see layer/spread-inodes.ts):
//     set unless it is already; errno when the filesystem refuses it
// argv: the syscall numbers of mount, umount2, lsetxattr, lgetxattr, llistxattr, mknodat.
export const HELPER_SOURCE = String.raw`
use strict;
my ($SYS_MOUNT, $SYS_UMOUNT2, $SYS_LSETXATTR, $SYS_LGETXATTR, $SYS_LLISTXATTR, $SYS_MKNODAT) = map { 0 + $_ } @ARGV;
# Ctrl-C reaches the whole process group, but slipway unmounts through this helper while it
# handles the signal: the helper ends only when its stdin closes (slipway exited).
$SIG{INT} = $SIG{TERM} = $SIG{HUP} = $SIG{QUIT} = 'IGNORE';
chdir('/');
umask(0);
binmode(STDIN);
binmode(STDOUT);
# llistxattr and lgetxattr results are at most 64 KiB (XATTR_LIST_MAX, XATTR_SIZE_MAX).
my $LIST = "\0" x 65536;
my $VALUE = "\0" x 65536;

sub reply {
  my ($id, $errno, $payload) = @_;
  my $body = pack('VV', $id, $errno) . $payload;
  my $frame = pack('V', length($body)) . $body;
  while (length($frame)) {
    my $n = syswrite(STDOUT, $frame);
    exit(1) unless defined($n);
    substr($frame, 0, $n) = '';
  }
}

sub op_mount {
  my ($cwd, $source, $target, $fstype, $flags, $data) = @_;
  if ($cwd ne '' && !chdir($cwd)) { return (0 + $!, "$cwd: $!"); }
  my $r = syscall($SYS_MOUNT, $source, $target, $fstype, 0 + $flags, $data);
  my @res = $r == -1 ? (0 + $!, "$!") : (0, '');
  chdir('/');
  return @res;
}

sub op_umount {
  my ($target, $flags) = @_;
  return syscall($SYS_UMOUNT2, $target, 0 + $flags) == -1 ? (0 + $!, "$!") : (0, '');
}

# The record of a path whose llistxattr gave $n bytes of names in $LIST ('' if none match).
sub xattrs_of {
  my ($path, $n, $match) = @_;
  my @all = grep { $_ ne '' && (!$match || $_ =~ $match) } split(/\0/, substr($LIST, 0, $n));
  my @names = sort(@all);
  my ($out, $count) = ('', 0);
  for my $name (@names) {
    my $v = syscall($SYS_LGETXATTR, $path, $name, $VALUE, 65536);
    next if $v == -1;    # gone since the listing: getfattr skips it too
    $out .= pack('V/a* V/a*', $name, substr($VALUE, 0, $v));
    $count++;
  }
  return $count ? pack('V/a* V', $path, $count) . $out : '';
}

# Appends the records of $root (and with $recursive, of all below it, parents first) to
# $$out. Undef when done, else the failure as [errno, message].
sub walk {
  my ($root, $match, $recursive, $out) = @_;
  my @todo = ($root);
  while (@todo) {
    my $path = pop(@todo);
    my $link = -l $path;    # lstat: -d _ below is about the entry itself
    return [0 + $!, "$path: $!"] unless defined($link);
    my $n = syscall($SYS_LLISTXATTR, $path, $LIST, 65536);
    return [0 + $!, "$path: $!"] if $n == -1;
    $$out .= xattrs_of($path, $n, $match) if $n;
    next if $link || !$recursive || !-d _;
    my $dh;
    return [0 + $!, "$path: $!"] unless opendir($dh, $path);
    my @names = readdir($dh);
    closedir($dh);
    push(@todo, map { "$path/$_" } grep { $_ ne '.' && $_ ne '..' } reverse(@names));
  }
  return undef;
}

sub op_dump {
  my ($path, $pattern, $recursive) = @_;
  my $match;
  if ($pattern ne '') {
    $match = eval { qr/$pattern/ };
    return (22, "invalid pattern $pattern") unless $match;
  }
  my $out = '';
  my $err = walk($path, $match, $recursive eq '1', \$out);
  return $err ? @$err : (0, $out);
}

sub op_setxattrs {
  my @args = @_;
  my ($errno, $msg) = (0, '');
  while (@args >= 3) {
    my ($path, $name, $value) = splice(@args, 0, 3);
    next if syscall($SYS_LSETXATTR, $path, $name, $value, length($value), 0) != -1;
    ($errno, $msg) = (0 + $!, "$path: $!") unless $errno;
  }
  return ($errno, $msg);
}

sub op_mknod {
  my ($path, $mode, $major, $minor) = @_;
  my ($maj, $min) = (0 + $major, 0 + $minor);
  # glibc's makedev
  my $dev = (($maj & 0xfffff000) << 32) | (($maj & 0xfff) << 8) | (($min & 0xffffff00) << 12) | ($min & 0xff);
  # The kernel takes 32 bits; glibc refuses what does not fit rather than truncating it.
  if ($dev > 0xffffffff) { $! = 22; return (22, "$!"); }
  return syscall($SYS_MKNODAT, -100, $path, 0 + $mode, $dev) == -1 ? (0 + $!, "$!") : (0, '');
}

# FS_IOC_GETFLAGS / FS_IOC_SETFLAGS (_IOR/_IOW('f', 1/2, long), the generic 64-bit encoding);
# the kernel reads and writes an int.
sub op_topdir {
  my ($path) = @_;
  open(my $fh, '<', $path) or return (0 + $!, "$path: $!");
  my $f = pack('l', 0);
  ioctl($fh, 0x80086601, $f) or return (0 + $!, "$!");
  my $v = unpack('l', $f);
  return (0, '') if $v & 0x20000;
  ioctl($fh, 0x40086602, pack('l', $v | 0x20000)) or return (0 + $!, "$!");
  return (0, '');
}

# Processes started by op 6: pid => [request id, pipes still open]; output pipes by fd:
# fd => [handle, pid, stream].
my (%RUNNING, %PIPES);

# Forks and execs; undef when it runs (the reply comes when it ends), else (errno, message).
sub op_spawn {
  my ($id, $cwd, $umask, $envc, @rest) = @_;
  my @env = splice(@rest, 0, 0 + $envc);
  my ($path, @argv) = @rest;
  my ($outr, $outw, $errr, $errw, $failr, $failw);
  # Perl marks descriptors above 2 close-on-exec: other processes never inherit these.
  pipe($outr, $outw) && pipe($errr, $errw) && pipe($failr, $failw) or return (0 + $!, "pipe: $!");
  my $pid = fork();
  return (0 + $!, "fork: $!") unless defined($pid);
  if ($pid == 0) {
    my $ok = chdir($cwd) && open(STDIN, '<', '/dev/null') && open(STDOUT, '>&', $outw) && open(STDERR, '>&', $errw);
    if ($ok) {
      umask(oct($umask));
      %ENV = map { /^([^=]*)=(.*)$/s ? ($1, $2) : ($_, '') } @env;
      $SIG{$_} = 'DEFAULT' for qw(INT TERM HUP QUIT PIPE);
      exec { $path } @argv;
    }
    syswrite($failw, pack('V', 0 + $!) . "$!");
    exit(127);
  }
  close($outw);
  close($errw);
  close($failw);
  my $failure = '';
  1 while sysread($failr, $failure, 4096, length($failure));
  close($failr);
  if (length($failure) >= 4) {
    close($outr);
    close($errr);
    waitpid($pid, 0);
    return (unpack('V', $failure), substr($failure, 4));
  }
  $RUNNING{$pid} = [$id, 2];
  $PIPES{fileno($outr)} = [$outr, $pid, 1];
  $PIPES{fileno($errr)} = [$errr, $pid, 2];
  return undef;
}

# Forwards what a process wrote (an event frame), or notes the end of its pipe.
sub relay {
  my ($fd) = @_;
  my ($fh, $pid, $stream) = @{$PIPES{$fd}};
  my $n = sysread($fh, my $buf, 1 << 16);
  if ($n) {
    reply($RUNNING{$pid}[0], 0xFFFFFFFF, pack('C', $stream) . $buf);
    return;
  }
  close($fh);
  delete($PIPES{$fd});
  $RUNNING{$pid}[1]--;
}

# Replies for processes whose pipes are closed and that have exited; true while one whose
# pipes are closed has still to exit (then the caller polls again soon).
sub reap {
  my $waiting = 0;
  for my $pid (keys(%RUNNING)) {
    my ($id, $open) = @{$RUNNING{$pid}};
    next if $open;
    my $r = waitpid($pid, 1);    # WNOHANG
    if ($r == 0) { $waiting = 1; next; }
    delete($RUNNING{$pid});
    if ($r == -1) { reply($id, 0 + $!, "waitpid: $!"); next; }
    reply($id, 0, pack('VV', $? >> 8, $? & 127));
  }
  return $waiting;
}

my %OPS = (1 => \&op_mount, 2 => \&op_umount, 3 => \&op_dump, 4 => \&op_setxattrs, 5 => \&op_mknod, 7 => \&op_topdir);

sub handle {
  my ($body) = @_;
  my ($id, $op) = unpack('VC', $body);
  my @args;
  my $off = 5;
  while ($off + 4 <= length($body)) {
    my $len = unpack('V', substr($body, $off, 4));
    push(@args, substr($body, $off + 4, $len));
    $off += 4 + $len;
  }
  if ($op == 6) {
    my @failed = op_spawn($id, @args);
    reply($id, @failed) if @failed > 1;
    return;
  }
  my $fn = $OPS{$op};
  reply($id, $fn ? $fn->(@args) : (38, "unknown operation $op"));
}

my $in = '';
# A process's pipes close as it exits, just before it can be reaped: poll for that from
# 50 us on, backing off to 50 ms for one that closed them and runs on.
my $poll = 0;
for (;;) {
  my $rin = '';
  vec($rin, 0, 1) = 1;
  vec($rin, $_, 1) = 1 for keys(%PIPES);
  my $rout;
  my $n = select($rout = $rin, undef, undef, $poll || undef);
  next if $n < 0;
  for my $fd (keys(%PIPES)) { relay($fd) if vec($rout, $fd, 1); }
  $poll = reap() ? ($poll ? ($poll < 0.05 ? $poll * 2 : 0.05) : 0.00005) : 0;
  next unless $n > 0 && vec($rout, 0, 1);
  my $got = sysread(STDIN, $in, 1 << 16, length($in));
  exit(0) unless $got;
  while (length($in) >= 4) {
    my $len = unpack('V', $in);
    last if length($in) < 4 + $len;
    my $body = substr($in, 4, $len);
    substr($in, 0, 4 + $len) = '';
    handle($body);
  }
}
`;
