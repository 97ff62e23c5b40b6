//! The connection to the editor: standard input/output (lsp-server's own threads), or a UNIX
//! socket (`--pipe PATH`): connected to when the editor listens there (as VS Code's pipe
//! transport does), else listened on for one editor.

use std::io::BufReader;
use std::path::Path;

use lsp_server::{Connection, IoThreads, Message};

use crate::{Error, Result};

/// The threads that move messages between the connection and the socket or stdio.
pub enum Io {
    Threads(IoThreads),
    Socket(Vec<std::thread::JoinHandle<()>>),
}

impl Io {
    pub fn join(self) {
        match self {
            Io::Threads(t) => {
                let _ = t.join();
            }
            Io::Socket(handles) => {
                for h in handles {
                    let _ = h.join();
                }
            }
        }
    }
}

#[cfg(unix)]
pub fn unix_socket(path: &Path) -> Result<(Connection, Io)> {
    use std::os::unix::net::{UnixListener, UnixStream};
    let stream = match UnixStream::connect(path) {
        Ok(s) => s,
        Err(_) => {
            let listener = UnixListener::bind(path)
                .map_err(|e| Error::new(format!("--pipe {}: {e}", path.display())))?;
            let (s, _) = listener
                .accept()
                .map_err(|e| Error::new(format!("--pipe {}: {e}", path.display())))?;
            s
        }
    };
    let reader = stream
        .try_clone()
        .map_err(|e| Error::new(format!("--pipe {}: {e}", path.display())))?;
    let (to_server, from_editor) = crossbeam_channel::bounded::<Message>(0);
    let (to_editor, from_server) = crossbeam_channel::bounded::<Message>(0);
    let read = std::thread::spawn(move || {
        let mut reader = BufReader::new(reader);
        while let Ok(Some(msg)) = Message::read(&mut reader) {
            let exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
            if to_server.send(msg).is_err() || exit {
                break;
            }
        }
    });
    let write = std::thread::spawn(move || {
        let mut stream = stream;
        for msg in from_server {
            if msg.write(&mut stream).is_err() {
                break;
            }
        }
    });
    Ok((
        Connection {
            sender: to_editor,
            receiver: from_editor,
        },
        Io::Socket(vec![read, write]),
    ))
}

#[cfg(not(unix))]
pub fn unix_socket(path: &Path) -> Result<(Connection, Io)> {
    Err(Error::new(format!(
        "--pipe {}: UNIX sockets are not available on this system; use standard input/output",
        path.display()
    )))
}
