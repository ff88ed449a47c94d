package cli

// TagCmd is `minictr tag`.
type TagCmd struct {
	Source string `arg:"" name:"source_image[:tag]" help:"The image: a name, an ID or a unique ID prefix."`
	Target string `arg:"" name:"target_image[:tag]" help:"The new name."`
}

// Run adds a name to an image: one line of repositories.json
// (image.Store.Tag); prints nothing, as docker.
func (c *TagCmd) Run(g *Globals) error {
	store, err := g.openStore()
	if err != nil {
		return err
	}
	_, err = store.Tag(c.Source, c.Target)
	return err
}
